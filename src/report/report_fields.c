/*
 * rh_finding's fields for the reporters, from the one table src/hunt/finding_fields.def: each
 * field's kind, its name and place in csv, json (and jsonl) and the ecs `reghunt` object, and
 * what a format writes when an optional field is absent. The reporters loop over
 * report_fields_order() and render each report_field_get() in their own syntax.
 */
#include "report_internal.h"

/* The table's KIND, PRESENCE and absent tokens as enum values. */
#define KIND_ID      REPORT_KIND_ID
#define KIND_TEXT    REPORT_KIND_TEXT
#define KIND_TEXTN   REPORT_KIND_TEXTN
#define KIND_ENUM    REPORT_KIND_ENUM
#define KIND_TIME    REPORT_KIND_TIME
#define KIND_FLAG    REPORT_KIND_FLAG
#define KIND_KNOWN   REPORT_KIND_KNOWN
#define KIND_NUM     REPORT_KIND_NUM
#define ABSENT_KEEP  REPORT_ABSENT_KEEP
#define ABSENT_OMIT  REPORT_ABSENT_OMIT
#define ABSENT_JNULL REPORT_ABSENT_JNULL
#define PRESENCE_REQ 0
#define PRESENCE_OPT 1

static const struct field_row {
    const char *name[REPORT_FIELDS_FORMAT_COUNT];
    unsigned char pos[REPORT_FIELDS_FORMAT_COUNT];
    unsigned char absent[REPORT_FIELDS_FORMAT_COUNT];
    unsigned char kind, optional;
    const char *ecs;
} rows[REPORT_FIELD_COUNT] = {
#define RH_FINDING_FIELD(member, KIND, aux, PRESENCE, csv, csv_pos, json, json_pos, json_absent,   \
                         ecs_pos, ecs_absent, ecs)                                                 \
    {{csv, json, json},                                                                            \
     {csv_pos, json_pos, ecs_pos},                                                                 \
     {ABSENT_KEEP, ABSENT_##json_absent, ABSENT_##ecs_absent},                                     \
     KIND_##KIND,                                                                                  \
     PRESENCE_##PRESENCE,                                                                          \
     ecs},
#include "hunt/finding_fields.def"
#undef RH_FINDING_FIELD
};

size_t report_fields_order(enum report_fields_format fmt,
                           enum report_field_id ids[REPORT_FIELD_COUNT])
{
    size_t i, n = 0;
    for (i = 0; i < REPORT_FIELD_COUNT; i++) {
        ids[i] = REPORT_FIELD_COUNT;
    }
    for (i = 0; (unsigned)fmt < REPORT_FIELDS_FORMAT_COUNT && i < REPORT_FIELD_COUNT; i++) {
        unsigned p = rows[i].pos[fmt];
        if (p >= 1 && p <= REPORT_FIELD_COUNT) {
            ids[p - 1] = (enum report_field_id)i;
        }
    }
    /* Compact (positions are 1..N without gaps: test_report_fields; this only keeps a broken
     * table from reading past the rows). */
    for (i = 0; i < REPORT_FIELD_COUNT; i++) {
        if (ids[i] != REPORT_FIELD_COUNT) {
            ids[n++] = ids[i];
        }
    }
    return n;
}

const char *report_field_name(enum report_field_id id, enum report_fields_format fmt)
{
    return (unsigned)id < REPORT_FIELD_COUNT && (unsigned)fmt < REPORT_FIELDS_FORMAT_COUNT
               ? rows[id].name[fmt]
               : "";
}

unsigned report_field_pos(enum report_field_id id, enum report_fields_format fmt)
{
    return (unsigned)id < REPORT_FIELD_COUNT && (unsigned)fmt < REPORT_FIELDS_FORMAT_COUNT
               ? rows[id].pos[fmt]
               : 0;
}

const char *report_field_ecs(enum report_field_id id)
{
    return (unsigned)id < REPORT_FIELD_COUNT ? rows[id].ecs : "";
}

/* One getter per KIND: the value of member m of f into v. */
#define GET_ID(f, m, aux, v) text_value(v, (f)->m, strlen((f)->m))
#define GET_TEXT(f, m, aux, v)                                                                     \
    text_value(v, (f)->m, (f)->m ? strlen((f)->m) : 0);                                            \
    (v)->present = (f)->m != NULL
#define GET_TEXTN(f, m, aux, v)                                                                    \
    text_value(v, (f)->m, (f)->m ? (f)->aux : 0);                                                  \
    (v)->present = (f)->m != NULL && (f)->aux != 0
#define GET_ENUM(f, m, aux, v) text_value(v, aux((f)->m), strlen(aux((f)->m)))
#define GET_TIME(f, m, aux, v)                                                                     \
    (v)->time = (f)->m;                                                                            \
    (v)->present = (f)->m != 0
#define GET_FLAG(f, m, aux, v)                                                                     \
    (v)->u = (f)->m != 0;                                                                          \
    (v)->present = (f)->m != 0
#define GET_KNOWN(f, m, aux, v) (v)->u = (f)->m
#define GET_NUM(f, m, aux, v)   (v)->num = (uint64_t)(f)->m

static void text_value(struct report_field *v, const char *s, size_t n)
{
    v->s = s ? s : "";
    v->n = s ? n : 0;
}

void report_field_get(const rh_finding *f, enum report_field_id id, enum report_fields_format fmt,
                      struct report_field *v)
{
    memset(v, 0, sizeof(*v));
    v->s = "";
    v->present = 1;
    if ((unsigned)id >= REPORT_FIELD_COUNT || (unsigned)fmt >= REPORT_FIELDS_FORMAT_COUNT) {
        v->name = "";
        return;
    }
    v->name = rows[id].name[fmt];
    v->kind = (enum report_field_kind)rows[id].kind;
    v->absent = (enum report_field_absent)rows[id].absent[fmt];
    switch (id) {
#define RH_FINDING_FIELD(member, KIND, aux, ...)                                                   \
    case REPORT_FIELD_##member:                                                                    \
        GET_##KIND(f, member, aux, v);                                                             \
        break;
#include "hunt/finding_fields.def"
#undef RH_FINDING_FIELD
    default:
        break;
    }
    if (!rows[id].optional) {
        v->present = 1;
    }
}

static const struct {
    unsigned bit;
    const char *name;
} known[REPORT_KNOWN_COUNT] = {{RH_KNOWN_BASELINE, "baseline"}, {RH_KNOWN_ALLOWLIST, "allowlist"}};

size_t report_known_names(unsigned mask, const char *out[REPORT_KNOWN_COUNT])
{
    size_t i, n = 0;
    for (i = 0; i < REPORT_KNOWN_COUNT; i++) {
        if (mask & known[i].bit) {
            out[n++] = known[i].name;
        }
    }
    return n;
}
