/*
 * main.c — a program outside heapbench that uses the installed goheap
 * (tests/install/goheap_consumer.sh builds it through pkg-config and
 * find_package). Exits 0 only when goheap served and freed the blocks.
 */
#include <goheap/goheap.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = gh_malloc((size_t)(i + 1) * 24);
        if (!p[i] || !gh_owns(p[i]) || gh_usable_size(p[i]) < (size_t)(i + 1) * 24) {
            fprintf(stderr, "block %d not served by goheap\n", i);
            return 1;
        }
        memset(p[i], i, (size_t)(i + 1) * 24);
    }
    for (int i = 0; i < 64; i++) gh_free(p[i]);
    printf("goheap %s ok\n", gh_version());
    return 0;
}
