/* child.h — death tests for goheap's tests: run a function in a forked
 * child with stderr closed and report how it ended (goheap throws with
 * abort(), as Go's runtime throws). */
#ifndef GH_TEST_CHILD_H
#define GH_TEST_CHILD_H
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* fn's wait status in a forked child (stderr closed). */
static inline int child(void (*fn)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(2);
        fn();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return status;
}

/* fn aborted (a goheap throw). */
static inline int dies(void (*fn)(void)) {
    int st = child(fn);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}
#endif
