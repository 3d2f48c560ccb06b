/* SPDX-License-Identifier: MIT */
/*
 * Function names as `go tool pprof` shows them by default, so that our
 * tables and Go's tooling name a site alike. C++ symbols ("_Z...") are
 * demangled, then simplified: no parameter list, template arguments,
 * return type or clone suffix; namespaces, classes, "(anonymous
 * namespace)" and lambdas ("{lambda(int)#1}") stay, as does the parameter
 * list of a function enclosing a local name ("f(int)::{lambda()#1}").
 */
#ifndef LP_CLI_DEMANGLE_H
#define LP_CLI_DEMANGLE_H

/* A function's system name as pprof shows it: "_ZN2ns5Class6methodEi" is
 * "ns::Class::method"; names that are not C++ symbols stay as they are.
 * malloc'd; NULL when out of memory. */
char *lp_demangle(const char *system_name);

#endif
