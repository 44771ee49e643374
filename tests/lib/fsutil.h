/* fsutil: file-system helpers shared by tests and benchmarks. */
#ifndef BS_TEST_FSUTIL_H
#define BS_TEST_FSUTIL_H

/* Removes dir and everything below it; missing entries are ignored. */
void test_rm_tree(const char *dir);

#endif
