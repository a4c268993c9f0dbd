/*
 * Normalized event helpers.
 */
#include "common.h"
#include "reghunt/event.h"

const rh_event_field *rh_event_field_get(const rh_event *ev, const char *name)
{
    size_t i;
    for (i = 0; i < ev->nfields; i++) {
        if (ev->fields[i].name && strcmp(ev->fields[i].name, name) == 0) {
            return &ev->fields[i];
        }
    }
    return NULL;
}
