/* test_fork.c — fork while other threads allocate: the child can allocate
 * and free (locks were held across fork, other threads' caches abandoned),
 * objects allocated before fork are freeable in the child. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "goheap/goheap.h"

static atomic_int stop;

static void *churn(void *arg) {
    (void)arg;
    void *v[64] = {0};
    unsigned i = 0;
    while (!atomic_load(&stop)) {
        unsigned k = i++ % 64;
        gh_free(v[k]);
        v[k] = gh_malloc((i * 37) % 5000);
    }
    for (int k = 0; k < 64; k++) gh_free(v[k]);
    return NULL;
}

int main(void) {
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, churn, NULL);
    for (int round = 0; round < 30; round++) {
        char *before = gh_malloc(100);
        strcpy(before, "hello");
        pid_t pid = fork();
        if (pid == 0) {
            if (strcmp(before, "hello") != 0) _exit(2);
            gh_free(before);
            void *v[1000];
            for (int i = 0; i < 1000; i++) v[i] = gh_malloc((size_t)i * 7);
            for (int i = 0; i < 1000; i++) gh_free(v[i]);
            void *big = gh_malloc(10 << 20);
            gh_free(big);
            _exit(0);
        }
        int st;
        CHECK(waitpid(pid, &st, 0) == pid);
        CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
        gh_free(before);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    printf("fork ok\n");
    return 0;
}
