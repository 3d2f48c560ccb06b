/* SPDX-License-Identifier: MIT */
/*
 * The `lock` label's value (docs/profiles.md, "Labels"): the name of a lock
 * id (src/record/lockid.h), the same in every run of a program.
 *
 *   a lock in a loaded object's data or bss: its symbol, "accounts_lock",
 *   "table+0x40" when not at the symbol's start; in a stripped object, the
 *   object and the address in the file, "[prog]+0x4010";
 *   any other lock: the function that initialized it, or else where it
 *   was first seen (lockid.h), with the file:line when DWARF knows it:
 *   "new_account (init, bank.c:42)", "deposit (first seen, bank.c:57)".
 *   C++ lock wrappers inlined there (std::mutex::lock) are passed over for
 *   the function that called them; C++ names are demangled when the
 *   process has libstdc++'s demangler.
 *
 * Dump time only: it allocates and symbolizes.
 */
#ifndef LP_LOCKNAME_H
#define LP_LOCKNAME_H

#include <stddef.h>
#include <stdint.h>

#include "symbolize.h"

/* Write the name of lock `id` into buf (always NUL-terminated, cut to
 * len). `sym` must have been refreshed since the id was recorded. */
void lp_lock_name(struct lp_symbolizer *sym, uint64_t id, char *buf, size_t len);

#endif /* LP_LOCKNAME_H */
