/*
 * router.h — from a request to its page handler.
 */
#ifndef BOXOFFICE_ROUTER_H
#define BOXOFFICE_ROUTER_H

#include "req.h"

/*
 * Finds the route for r->path, checks the method (405 with Allow), the
 * login (redirect to /login and back) and, for POST, the CSRF token (403),
 * then calls the handler. Unknown paths and ids answer 404.
 */
void router_dispatch(struct req *r);

#endif
