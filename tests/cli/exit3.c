/* SPDX-License-Identifier: MIT */
/* A program that exits 3 at once: built static, `lockprof run` must warn
 * that it cannot be profiled. */
int main(void)
{
	return 3;
}
