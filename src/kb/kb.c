/*
 * The persistence knowledge base: the built-in table (kb_locations.def), user TSV rows, and
 * the building of a per-hive trie of key-pattern components so that matching one key costs one
 * walk (the walk itself is in kb_match.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/common.h"
#include "kb_internal.h"
#include "reghunt/kb.h"

/* ---- built-in tables ---------------------------------------------------------------------- */

struct kb_tech {
    const char *id;
    const char *name;
    rh_tactic tactic;
};

static const struct kb_tech kb_techs[] = {
#define RH_KB_TECH(id, name, tactic) {id, name, RH_TACTIC_##tactic},
#include "kb_techniques.def"
#undef RH_KB_TECH
};

#define F_ABSENT RH_KB_F_ABSENT_DEFAULT
#define F_MOD    RH_KB_F_MODIFIER
#define F_PRIV   RH_KB_F_PRIVILEGED
#define F_LEGACY RH_KB_F_LEGACY
#define F_ADJ    RH_KB_F_ADJACENT
#define F_NOISY  RH_KB_F_NOISY
#define F_USER   RH_KB_F_PER_USER
#define F_NAME   RH_KB_F_NAME_IS_DATA
#define F_SYSDIR RH_KB_F_SYSDIR
#define F_KNOWN  RH_KB_F_KNOWN_NAMES
#define F_STRICT RH_KB_F_STRICT_DEFAULT

static const rh_kb_location kb_builtin[] = {
#define RH_KB_LOC(id, tech, hive, key, value, interp, check, risk, flags, why)                     \
    {#id,                                                                                          \
     tech,                                                                                         \
     NULL,                                                                                         \
     RH_KB_HIVE_##hive,                                                                            \
     key,                                                                                          \
     value,                                                                                        \
     RH_KB_INTERP_##interp,                                                                        \
     RH_KB_CHECK_##check,                                                                          \
     NULL,                                                                                         \
     0,                                                                                            \
     RH_RISK_##risk,                                                                               \
     (flags),                                                                                      \
     why,                                                                                          \
     1},
#include "kb_locations.def"
#undef RH_KB_LOC
};

#define KB_NBUILTIN (sizeof(kb_builtin) / sizeof(kb_builtin[0]))

const char *rh_technique_name(const char *technique)
{
    size_t i;
    if (!technique) {
        return NULL;
    }
    for (i = 0; i < sizeof(kb_techs) / sizeof(kb_techs[0]); i++) {
        if (strcmp(kb_techs[i].id, technique) == 0) {
            return kb_techs[i].name;
        }
    }
    return NULL;
}

/* Techniques outside the knowledge base that Sigma rules commonly tag, with the tactic a
 * finding of them is reported under (sub-techniques take their parent's). */
static const struct {
    const char *id;
    rh_tactic tactic;
} other_tactics[] = {
    {"T1003", RH_TACTIC_CREDENTIAL_ACCESS},   {"T1021", RH_TACTIC_LATERAL_MOVEMENT},
    {"T1027", RH_TACTIC_DEFENSE_EVASION},     {"T1036", RH_TACTIC_DEFENSE_EVASION},
    {"T1047", RH_TACTIC_EXECUTION},           {"T1055", RH_TACTIC_DEFENSE_EVASION},
    {"T1059", RH_TACTIC_EXECUTION},           {"T1070", RH_TACTIC_DEFENSE_EVASION},
    {"T1071", RH_TACTIC_COMMAND_AND_CONTROL}, {"T1082", RH_TACTIC_DISCOVERY},
    {"T1105", RH_TACTIC_COMMAND_AND_CONTROL}, {"T1110", RH_TACTIC_CREDENTIAL_ACCESS},
    {"T1189", RH_TACTIC_INITIAL_ACCESS},      {"T1190", RH_TACTIC_INITIAL_ACCESS},
    {"T1204", RH_TACTIC_EXECUTION},           {"T1218", RH_TACTIC_DEFENSE_EVASION},
    {"T1562", RH_TACTIC_DEFENSE_EVASION},     {"T1566", RH_TACTIC_INITIAL_ACCESS},
    {"T1569", RH_TACTIC_EXECUTION},           {"T1571", RH_TACTIC_COMMAND_AND_CONTROL},
    {"T1572", RH_TACTIC_COMMAND_AND_CONTROL}, {"T1573", RH_TACTIC_COMMAND_AND_CONTROL},
};

static const struct {
    const char *id, *name;
} tactics[RH_TACTIC_COUNT] = {
    {"reconnaissance", "Reconnaissance"},
    {"resource-development", "Resource Development"},
    {"initial-access", "Initial Access"},
    {"execution", "Execution"},
    {"persistence", "Persistence"},
    {"privilege-escalation", "Privilege Escalation"},
    {"defense-evasion", "Defense Evasion"},
    {"credential-access", "Credential Access"},
    {"discovery", "Discovery"},
    {"lateral-movement", "Lateral Movement"},
    {"collection", "Collection"},
    {"command-and-control", "Command and Control"},
    {"exfiltration", "Exfiltration"},
    {"impact", "Impact"},
};

const char *rh_tactic_id(rh_tactic t)
{
    return (unsigned)t < RH_TACTIC_COUNT ? tactics[t].id : "";
}

const char *rh_tactic_name(rh_tactic t)
{
    return (unsigned)t < RH_TACTIC_COUNT ? tactics[t].name : "";
}

int rh_technique_id_valid(const char *s)
{
    size_t i;
    if (!s || s[0] != 'T') {
        return 0;
    }
    for (i = 1; i <= 4; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    if (s[5] == '\0') {
        return 1;
    }
    if (s[5] != '.') {
        return 0;
    }
    for (i = 6; i <= 8; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return s[9] == '\0';
}

rh_status rh_technique_tactic(const char *technique, rh_tactic *out)
{
    char parent[6];
    size_t i;
    if (!rh_technique_id_valid(technique) || !out) {
        return RH_NOT_FOUND;
    }
    memcpy(parent, technique, 5);
    parent[5] = '\0';
    for (i = 0; i < sizeof(kb_techs) / sizeof(kb_techs[0]); i++) {
        if (strcmp(kb_techs[i].id, technique) == 0) {
            *out = kb_techs[i].tactic;
            return RH_OK;
        }
    }
    for (i = 0; i < sizeof(kb_techs) / sizeof(kb_techs[0]); i++) {
        if (strncmp(kb_techs[i].id, parent, 5) == 0) {
            *out = kb_techs[i].tactic;
            return RH_OK;
        }
    }
    for (i = 0; i < sizeof(other_tactics) / sizeof(other_tactics[0]); i++) {
        if (strcmp(other_tactics[i].id, parent) == 0) {
            *out = other_tactics[i].tactic;
            return RH_OK;
        }
    }
    return RH_NOT_FOUND;
}

/* ---- names ---------------------------------------------------------------------------------- */

static const char *const hive_names[] = {"SOFTWARE", "SYSTEM", "NTUSER", "USRCLASS"};
static const char *const interp_names[] = {"cmdline", "dllpath", "clsid",  "list",
                                           "cmdlist", "number",  "folder", "startupapproved",
                                           "text",    "binary"};
static const char *const check_names[] = {
    "none",           "run",           "runonceex",     "startupapproved",
    "shellfolder",    "winlogon_list", "ifeo_debugger", "ifeo_globalflag",
    "ifeo_verifier",  "spe_monitor",   "spe_reporting", "com_server",
    "com_treatas",    "com_scriptlet", "com_progid",    "service",
    "pending_rename", "active_setup"};
static const char *const risk_names[] = {"Info", "Low", "Medium", "High", "Critical"};
static const char *const flag_names[] = {
    "absent_default", "modifier",     "privileged", "legacy",      "adjacent",      "noisy",
    "per_user",       "name_is_data", "sysdir",     "known_names", "strict_default"};

_Static_assert(sizeof(hive_names) / sizeof(hive_names[0]) == RH_KB_HIVE_COUNT, "hive names");
_Static_assert(sizeof(interp_names) / sizeof(interp_names[0]) == RH_KB_INTERP_COUNT, "interp");
_Static_assert(sizeof(check_names) / sizeof(check_names[0]) == RH_KB_CHECK_COUNT, "checks");

const char *rh_kb_hive_name(rh_kb_hive h)
{
    return (unsigned)h < RH_KB_HIVE_COUNT ? hive_names[h] : "?";
}

const char *rh_kb_interp_name(rh_kb_interp k)
{
    return (unsigned)k < RH_KB_INTERP_COUNT ? interp_names[k] : "?";
}

const char *rh_kb_check_name(rh_kb_check c)
{
    return (unsigned)c < RH_KB_CHECK_COUNT ? check_names[c] : "?";
}

const char *rh_risk_name(rh_risk r)
{
    return (unsigned)r <= RH_RISK_CRITICAL ? risk_names[r] : "?";
}

static int name_index(const char *const *names, size_t count, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < count; i++) {
        if (rh_ascii_casecmp(names[i], strlen(names[i]), s, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

rh_status rh_kb_hive_parse(const char *s, rh_kb_hive *out)
{
    int i = s ? name_index(hive_names, RH_KB_HIVE_COUNT, s, strlen(s)) : -1;
    if (i < 0) {
        return RH_NOT_FOUND;
    }
    *out = (rh_kb_hive)i;
    return RH_OK;
}

rh_status rh_risk_parse(const char *s, rh_risk *out)
{
    int i = s ? name_index(risk_names, 5, s, strlen(s)) : -1;
    if (i < 0) {
        return RH_NOT_FOUND;
    }
    *out = (rh_risk)i;
    return RH_OK;
}

/* ---- pattern components ----------------------------------------------------------------- */

static int has_glob(const char *s, size_t n)
{
    return memchr(s, '*', n) != NULL || memchr(s, '?', n) != NULL;
}

static enum kb_comp_kind comp_kind(const char *s, size_t n)
{
    if (n == 2 && s[0] == '*' && s[1] == '*') {
        return KC_DSTAR;
    }
    if (n == 1 && s[0] == '*') {
        return KC_STAR;
    }
    return has_glob(s, n) ? KC_GLOB : KC_LIT;
}

rh_status rh_kb_pattern_check(const char *key_pattern)
{
    size_t n, i, start = 0, depth = 0;
    if (!key_pattern) {
        return RH_ERR_ARG;
    }
    n = strlen(key_pattern);
    if (n == 0 || n > 1024) {
        return RH_ERR_ARG;
    }
    for (i = 0; i <= n; i++) {
        if (i == n || key_pattern[i] == '\\') {
            size_t len = i - start;
            const char *c = key_pattern + start;
            if (len == 0) {
                return RH_ERR_ARG; /* empty component, leading/trailing/double backslash */
            }
            if (comp_kind(c, len) != KC_DSTAR) {
                size_t j;
                for (j = 0; j + 1 < len; j++) {
                    if (c[j] == '*' && c[j + 1] == '*') {
                        return RH_ERR_ARG; /* "**" only as a whole component */
                    }
                }
            }
            if (++depth > KB_MAX_PATTERN_DEPTH) {
                return RH_ERR_ARG;
            }
            start = i + 1;
        } else if ((unsigned char)key_pattern[i] < 0x20) {
            return RH_ERR_ARG;
        }
    }
    return RH_OK;
}

/* Specificity: literal components weigh most, so "Classes\exefile\shell\open\command" sorts
 * before "Classes\*file\shell\*\command" and an exact value name before "*". */
static unsigned specificity(const rh_kb_location *loc)
{
    const char *k = loc->key_pattern;
    size_t n = strlen(k), i, start = 0;
    unsigned score = 0;
    for (i = 0; i <= n; i++) {
        if (i == n || k[i] == '\\') {
            size_t len = i - start, j, lit = 0;
            enum kb_comp_kind kind = comp_kind(k + start, len);
            for (j = 0; j < len; j++) {
                lit += k[start + j] != '*' && k[start + j] != '?';
            }
            score += kind == KC_LIT    ? 100u + (unsigned)len
                     : kind == KC_GLOB ? 10u + (unsigned)lit
                     : kind == KC_STAR ? 1u
                                       : 0u;
            start = i + 1;
        }
    }
    if (strcmp(loc->value_pattern, "*") != 0) {
        score += has_glob(loc->value_pattern, strlen(loc->value_pattern)) ? 20u : 50u;
    }
    return score;
}

/* ---- the kb object ------------------------------------------------------------------------- */

static rh_status grow(rh_ctx *ctx, void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap, bytes;
    void *np;
    if (need <= *cap) {
        return RH_OK;
    }
    ncap = *cap ? *cap * 2 : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    if (!rh_mul_sz(ncap, elem, &bytes)) {
        return RH_ERR_LIMIT;
    }
    np = rh_realloc(ctx, *p, bytes);
    if (!np) {
        return RH_ERR_NOMEM;
    }
    *p = np;
    *cap = ncap;
    return RH_OK;
}

static rh_status new_node(rh_kb *kb, const char *comp, size_t len, uint32_t *out)
{
    rh_status st =
        grow(kb->ctx, (void **)&kb->nodes, &kb->capnodes, kb->nnodes + 1, sizeof(struct kb_node));
    struct kb_node *nd;
    if (st != RH_OK) {
        return st;
    }
    nd = &kb->nodes[kb->nnodes];
    nd->comp = comp;
    nd->comp_len = (uint32_t)len;
    nd->kind = (uint8_t)(comp ? comp_kind(comp, len) : KC_LIT);
    nd->first_child = nd->next_sibling = 0;
    nd->loc_first = UINT32_MAX;
    *out = (uint32_t)kb->nnodes++;
    return RH_OK;
}

static rh_status insert_loc(rh_kb *kb, uint32_t li)
{
    const rh_kb_location *loc = &kb->locs[li];
    const char *k = loc->key_pattern;
    size_t n = strlen(k), i, start = 0;
    uint32_t cur = (uint32_t)loc->hive, ref;
    rh_status st;
    for (i = 0; i <= n; i++) {
        if (i == n || k[i] == '\\') {
            size_t len = i - start;
            uint32_t c = kb->nodes[cur].first_child, found = 0;
            while (c) {
                const struct kb_node *nd = &kb->nodes[c];
                if (nd->comp_len == len && rh_ascii_casecmp(nd->comp, len, k + start, len) == 0) {
                    found = c;
                    break;
                }
                c = nd->next_sibling;
            }
            if (!found) {
                st = new_node(kb, k + start, len, &found);
                if (st != RH_OK) {
                    return st;
                }
                kb->nodes[found].next_sibling = kb->nodes[cur].first_child;
                kb->nodes[cur].first_child = found;
            }
            cur = found;
            start = i + 1;
        }
    }
    st = grow(kb->ctx, (void **)&kb->locref, &kb->caplocref, kb->nlocref + 2, sizeof(uint32_t));
    if (st != RH_OK) {
        return st;
    }
    ref = (uint32_t)kb->nlocref;
    kb->locref[ref] = li;
    kb->locref[ref + 1] = kb->nodes[cur].loc_first;
    kb->nodes[cur].loc_first = ref;
    kb->nlocref += 2;
    return RH_OK;
}

static void free_entries(rh_kb *kb)
{
    size_t h, i;
    for (h = 0; h < RH_KB_HIVE_COUNT; h++) {
        for (i = 0; i < kb->nentries[h]; i++) {
            rh_free(kb->ctx, kb->entries[h][i].prefix);
        }
        rh_free(kb->ctx, kb->entries[h]);
        kb->entries[h] = NULL;
        kb->nentries[h] = 0;
    }
}

static rh_status add_entry(rh_kb *kb, const rh_kb_location *loc)
{
    const char *k = loc->key_pattern;
    size_t n = strlen(k), i, start = 0, plen = 0, h = loc->hive, j;
    uint32_t below = 0;
    int in_prefix = 1;
    struct kb_entry *e;
    for (i = 0; i <= n; i++) {
        if (i == n || k[i] == '\\') {
            enum kb_comp_kind kind = comp_kind(k + start, i - start);
            if (in_prefix && kind == KC_LIT) {
                plen = i;
            } else {
                in_prefix = 0;
                if (kind == KC_DSTAR) {
                    below = UINT32_MAX;
                } else if (below != UINT32_MAX) {
                    below++;
                }
            }
            start = i + 1;
        }
    }
    for (j = 0; j < kb->nentries[h]; j++) {
        e = &kb->entries[h][j];
        if (strlen(e->prefix) == plen && rh_ascii_casecmp(e->prefix, plen, k, plen) == 0) {
            if (below > e->depth_below) {
                e->depth_below = below;
            }
            return RH_OK;
        }
    }
    e = rh_realloc(kb->ctx, kb->entries[h], (kb->nentries[h] + 1) * sizeof(*e));
    if (!e) {
        return RH_ERR_NOMEM;
    }
    kb->entries[h] = e;
    e[kb->nentries[h]].prefix = rh_strndup(kb->ctx, k, plen);
    if (!e[kb->nentries[h]].prefix) {
        return RH_ERR_NOMEM;
    }
    e[kb->nentries[h]].depth_below = below;
    kb->nentries[h]++;
    return RH_OK;
}

/* Rebuild the tries, specificity and entry points from kb->locs. */
static rh_status kb_index(rh_kb *kb)
{
    size_t i;
    uint32_t r;
    rh_status st;
    kb->nnodes = 0;
    kb->nlocref = 0;
    free_entries(kb);
    for (i = 0; i < RH_KB_HIVE_COUNT; i++) {
        st = new_node(kb, NULL, 0, &r);
        if (st != RH_OK) {
            return st;
        }
    }
    rh_free(kb->ctx, kb->spec);
    kb->spec = rh_calloc(kb->ctx, kb->nlocs ? kb->nlocs : 1, sizeof(unsigned));
    if (!kb->spec) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < kb->nlocs; i++) {
        kb->spec[i] = specificity(&kb->locs[i]);
        st = insert_loc(kb, (uint32_t)i);
        if (st == RH_OK) {
            st = add_entry(kb, &kb->locs[i]);
        }
        if (st != RH_OK) {
            return st;
        }
    }
    return kb_defaults_index(kb->ctx, &kb->defs, kb->locs, kb->nlocs);
}

rh_status rh_kb_create(rh_ctx *ctx, rh_kb **out)
{
    rh_kb *kb;
    rh_status st;
    size_t i;
    *out = NULL;
    kb = rh_calloc(ctx, 1, sizeof(*kb));
    if (!kb) {
        return RH_ERR_NOMEM;
    }
    kb->ctx = ctx;
    kb->locs = rh_malloc(ctx, KB_NBUILTIN * sizeof(rh_kb_location));
    if (!kb->locs) {
        rh_free(ctx, kb);
        return RH_ERR_NOMEM;
    }
    memcpy(kb->locs, kb_builtin, sizeof(kb_builtin));
    kb->nlocs = kb->caplocs = KB_NBUILTIN;
    for (i = 0; i < kb->nlocs; i++) {
        const char *name = rh_technique_name(kb->locs[i].technique);
        kb->locs[i].technique_name = name ? name : "";
    }
    st = kb_index(kb);
    if (st != RH_OK) {
        rh_kb_destroy(kb);
        return st;
    }
    *out = kb;
    return RH_OK;
}

void rh_kb_destroy(rh_kb *kb)
{
    size_t i;
    if (!kb) {
        return;
    }
    for (i = 0; i < kb->nowned; i++) {
        rh_free(kb->ctx, kb->owned[i]);
    }
    free_entries(kb);
    kb_defaults_free(kb->ctx, &kb->defs);
    rh_free(kb->ctx, kb->owned);
    rh_free(kb->ctx, kb->locs);
    rh_free(kb->ctx, kb->spec);
    rh_free(kb->ctx, kb->nodes);
    rh_free(kb->ctx, kb->locref);
    rh_free(kb->ctx, kb);
}

size_t rh_kb_default_count(const rh_kb *kb)
{
    return kb ? kb->defs.n : 0;
}

const rh_kb_default *rh_kb_default_at(const rh_kb *kb, size_t i)
{
    return kb && i < kb->defs.n ? &kb->defs.rows[i] : NULL;
}

size_t rh_kb_count(const rh_kb *kb)
{
    return kb ? kb->nlocs : 0;
}

const rh_kb_location *rh_kb_at(const rh_kb *kb, size_t i)
{
    return kb && i < kb->nlocs ? &kb->locs[i] : NULL;
}

const rh_kb_location *rh_kb_find(const rh_kb *kb, const char *id)
{
    size_t i;
    if (!kb || !id) {
        return NULL;
    }
    for (i = 0; i < kb->nlocs; i++) {
        if (strcmp(kb->locs[i].id, id) == 0) {
            return &kb->locs[i];
        }
    }
    return NULL;
}

/* ---- user TSV rows ------------------------------------------------------------------------ */

static char *own(rh_kb *kb, const char *s, size_t n)
{
    char *p;
    if (grow(kb->ctx, (void **)&kb->owned, &kb->capowned, kb->nowned + 1, sizeof(char *)) !=
        RH_OK) {
        return NULL;
    }
    p = rh_strndup(kb->ctx, s, n);
    if (p) {
        kb->owned[kb->nowned++] = p;
    }
    return p;
}

static int valid_id(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > 64) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return 1;
}

int kb_technique_valid(const char *s)
{
    size_t n = strlen(s), i;
    if (n != 5 && n != 9) {
        return 0;
    }
    if (s[0] != 'T') {
        return 0;
    }
    for (i = 1; i < 5; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    if (n == 9) {
        if (s[5] != '.') {
            return 0;
        }
        for (i = 6; i < 9; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return 0;
            }
        }
    }
    return 1;
}

static int parse_flags(const char *s, size_t n, unsigned *out)
{
    size_t i = 0;
    *out = 0;
    while (i < n) {
        size_t j = i, k;
        int found = -1;
        while (j < n && s[j] != ',') {
            j++;
        }
        for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++) {
            if (rh_ascii_casecmp(flag_names[k], strlen(flag_names[k]), s + i, j - i) == 0) {
                found = (int)k;
            }
        }
        if (j > i && found < 0) {
            return 0;
        }
        if (found >= 0) {
            *out |= 1u << found;
        }
        i = j + 1;
    }
    return 1;
}

const char *kb_flag_name(unsigned bit_index)
{
    return bit_index < sizeof(flag_names) / sizeof(flag_names[0]) ? flag_names[bit_index] : NULL;
}

#define KB_TSV_COLS 12

static rh_status load_row(rh_kb *kb, const char *name, int line, const char **col,
                          const size_t *len)
{
    rh_kb_location loc;
    char *tmp;
    int i;
    size_t k;
    rh_kb_location *slot = NULL;
    memset(&loc, 0, sizeof(loc));
#define BAD(msg)                                                                                   \
    return rh_diag_at(kb->ctx, RH_DIAG_WARNING, "kb", name, line, 0, "skipped row: %s", msg)
    if (!valid_id(col[0], len[0])) {
        BAD("id must be 1-64 characters of [a-z0-9_]");
    }
    tmp = own(kb, col[1], len[1]);
    if (!tmp) {
        return RH_ERR_NOMEM;
    }
    if (!kb_technique_valid(tmp)) {
        BAD("technique must look like T1234 or T1234.001");
    }
    loc.technique = tmp;
    i = name_index(hive_names, RH_KB_HIVE_COUNT, col[3], len[3]);
    if (i < 0) {
        BAD("hive must be SOFTWARE, SYSTEM, NTUSER or USRCLASS");
    }
    loc.hive = (rh_kb_hive)i;
    i = name_index(interp_names, RH_KB_INTERP_COUNT, col[6], len[6]);
    if (i < 0) {
        BAD("unknown interp");
    }
    loc.interp = (rh_kb_interp)i;
    i = len[7] ? name_index(check_names, RH_KB_CHECK_COUNT, col[7], len[7]) : 0;
    if (i < 0) {
        BAD("unknown check");
    }
    loc.check = (rh_kb_check)i;
    i = name_index(risk_names, 5, col[9], len[9]);
    if (i < 0) {
        BAD("base_risk must be Info, Low, Medium, High or Critical");
    }
    loc.base_risk = (rh_risk)i;
    if (!parse_flags(col[10], len[10], &loc.flags)) {
        BAD("unknown flag");
    }
    if (len[11] == 0) {
        BAD("why is empty");
    }
    loc.id = own(kb, col[0], len[0]);
    loc.key_pattern = own(kb, col[4], len[4]);
    loc.value_pattern = own(kb, col[5], len[5]);
    loc.why = own(kb, col[11], len[11]);
    if (len[2]) {
        loc.technique_name = own(kb, col[2], len[2]);
    } else {
        const char *tn = rh_technique_name(loc.technique);
        loc.technique_name = tn ? tn : "";
    }
    if (!loc.id || !loc.key_pattern || !loc.value_pattern || !loc.why || !loc.technique_name) {
        return RH_ERR_NOMEM;
    }
    if (rh_kb_pattern_check(loc.key_pattern) != RH_OK) {
        BAD("bad key pattern");
    }
    if (len[5] == 0) {
        BAD("empty value pattern");
    }
#undef BAD
    for (k = 0; k < kb->nlocs; k++) {
        if (strcmp(kb->locs[k].id, loc.id) == 0) {
            slot = &kb->locs[k];
        }
    }
    if (!slot) {
        rh_status st =
            grow(kb->ctx, (void **)&kb->locs, &kb->caplocs, kb->nlocs + 1, sizeof(rh_kb_location));
        if (st != RH_OK) {
            return st;
        }
        slot = &kb->locs[kb->nlocs++];
    }
    *slot = loc;
    if (len[8]) {
        char where[512];
        const char *data = own(kb, col[8], len[8]), *src;
        snprintf(where, sizeof(where), "%s:%d", name ? name : "user kb", line);
        src = own(kb, where, strlen(where));
        return data && src ? kb_defaults_user(kb->ctx, &kb->defs, loc.id, data, src) : RH_ERR_NOMEM;
    }
    return kb_defaults_user(kb->ctx, &kb->defs, loc.id, NULL, NULL);
}

rh_status rh_kb_load_mem(rh_kb *kb, const char *name, const char *text, size_t len)
{
    size_t pos = 0;
    int line = 0;
    rh_status st = RH_OK, rst;
    if (!kb || (!text && len)) {
        return RH_ERR_ARG;
    }
    while (pos < len && st == RH_OK) {
        const char *col[KB_TSV_COLS];
        size_t clen[KB_TSV_COLS], end = pos, c = 0, s;
        while (end < len && text[end] != '\n') {
            end++;
        }
        line++;
        s = pos;
        if (end > pos && text[pos] != '#' &&
            !(end - pos >= 3 && memcmp(text + pos, "id\t", 3) == 0)) {
            size_t e = end;
            if (e > pos && text[e - 1] == '\r') {
                e--;
            }
            while (c < KB_TSV_COLS) {
                size_t t = s;
                while (t < e && text[t] != '\t') {
                    t++;
                }
                col[c] = text + s;
                clen[c] = t - s;
                c++;
                if (t >= e) {
                    break;
                }
                s = t + 1;
            }
            if (c != KB_TSV_COLS || memchr(text + pos, '\0', e - pos)) {
                st = rh_diag_at(kb->ctx, RH_DIAG_WARNING, "kb", name, line, 0,
                                "skipped row: expected %d tab-separated columns", KB_TSV_COLS);
            } else {
                st = load_row(kb, name, line, col, clen);
            }
        }
        pos = end + 1;
        if (line > KB_MAX_TSV_LINES) {
            st = RH_ERR_LIMIT;
        }
    }
    rst = kb_index(kb);
    return st != RH_OK ? st : rst;
}

rh_status rh_kb_load_file(rh_kb *kb, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    rh_status st;
    if (!kb || !path) {
        return RH_ERR_ARG;
    }
    st = rh_read_file(kb->ctx, path, KB_MAX_TSV_BYTES, &data, &len);
    if (st != RH_OK) {
        return st;
    }
    st = rh_kb_load_mem(kb, path, (const char *)data, len);
    rh_free(kb->ctx, data);
    return st;
}
