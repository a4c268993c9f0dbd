/*
 * Feed loaders: STIX 2.1 (bundles streamed object by object: the file is read in 1 MiB
 * windows, the top level is walked by a small JSON skipper and each element of "objects"
 * parsed alone with jansson, so neither the file nor a tree of it is ever held whole), MISP
 * event JSON (parsed whole: events are usually small) and plain lists (read in windows, one
 * indicator per line, type detected).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ioc_internal.h"
#include "reghunt/event.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *dup(rh_ioc_set *s, const char *v)
{
    return rh_arena_strdup(&s->arena, v ? v : "");
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static struct ioc_node *mk_eq(rh_ioc_set *s, unsigned prop, const char *v, size_t n)
{
    struct ioc_node *x = rh_arena_zalloc(&s->arena, sizeof(*x));
    if (!x) {
        return NULL;
    }
    x->kind = IOC_N_CMP;
    x->op = IOC_OP_EQ;
    x->prop = (uint8_t)prop;
    x->vals = rh_arena_alloc(&s->arena, sizeof(*x->vals));
    x->lens = rh_arena_alloc(&s->arena, sizeof(*x->lens));
    if (!x->vals || !x->lens) {
        return NULL;
    }
    x->vals[0] = prop == IOC_P_REG_KEY ? ioc_regkey_norm(&s->arena, v, n, &x->lens[0])
                                       : rh_arena_strndup(&s->arena, v, n);
    if (prop != IOC_P_REG_KEY) {
        x->lens[0] = n;
    }
    x->nvals = 1;
    return x->vals[0] ? x : NULL;
}

static struct ioc_node *mk_bin(rh_ioc_set *s, int kind, struct ioc_node *a, struct ioc_node *b)
{
    struct ioc_node *x;
    if (!a || !b) {
        return a ? a : b;
    }
    x = rh_arena_zalloc(&s->arena, sizeof(*x));
    if (x) {
        x->kind = (uint8_t)kind;
        x->a = a;
        x->b = b;
    }
    return x;
}

/* A registry path that may end in a value name (MISP regkey, list lines): the key itself, or
 * its parent key with the last component as value name. */
static struct ioc_node *mk_regkey(rh_ioc_set *s, const char *k, size_t n)
{
    size_t i = n;
    while (i > 0 && k[i - 1] != '\\') {
        i--;
    }
    if (i < 2) {
        return mk_eq(s, IOC_P_REG_KEY, k, n);
    }
    return mk_bin(s, IOC_N_OR, mk_eq(s, IOC_P_REG_KEY, k, n),
                  mk_bin(s, IOC_N_AND, mk_eq(s, IOC_P_REG_KEY, k, i - 1),
                         mk_eq(s, IOC_P_REG_VNAME, k + i, n - i)));
}

static rh_status add_expr(rh_ioc_set *s, struct ioc_feed *feed, const rh_ioc_indicator *pub,
                          struct ioc_node *x)
{
    struct ioc_ind in;
    if (!x) {
        return RH_ERR_NOMEM;
    }
    memset(&in, 0, sizeof(in));
    in.pub = *pub;
    in.expr = x;
    return ioc_add(s, feed, &in);
}

/* A value of property prop that may carry "|data" (regkey|value) or be a registry path. */
static rh_status add_typed(rh_ioc_set *s, struct ioc_feed *feed, rh_ioc_indicator *pub, int prop,
                           const char *v, size_t n)
{
    if (n > s->opts.max_pattern_len) {
        ioc_report(s, feed, 0, pub->id, "value of %zu bytes (max_pattern_len %zu)", n,
                   s->opts.max_pattern_len);
        return RH_OK;
    }
    if (prop == IOC_P_REG_KEY) {
        const char *bar = memchr(v, '|', n);
        struct ioc_node *x = mk_regkey(s, v, bar ? (size_t)(bar - v) : n);
        if (bar) {
            x = x ? mk_bin(s, IOC_N_AND, x,
                           mk_eq(s, IOC_P_REG_VDATA, bar + 1, n - (size_t)(bar - v) - 1))
                  : NULL;
        }
        return add_expr(s, feed, pub, x);
    }
    return ioc_add_value(s, feed, pub, (unsigned)prop, v, n);
}

/* ---- type detection (lists) ---------------------------------------------------------------- */

static int all_hex(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return n > 0;
}

static int prefix_ci(const char *s, size_t n, const char *p)
{
    size_t l = strlen(p);
    return n >= l && rh_ascii_casecmp(s, l, p, l) == 0;
}

static int is_ipv4(const char *s, size_t n)
{
    unsigned parts = 0, v = 0, digits = 0;
    size_t i;
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!digits || v > 255) {
                return 0;
            }
            parts++;
            v = digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            digits++;
        } else {
            return 0;
        }
    }
    return parts == 4;
}

int ioc_detect(const char *s, size_t n)
{
    static const char *const exts[] = {"exe", "dll", "sys", "ps1", "psm1", "bat", "cmd", "vbs",
                                       "vbe", "js",  "jse", "hta", "scr",  "lnk", "jar", "msi",
                                       "cpl", "ocx", "wsf", "tmp", "dat",  "bin", "py",  NULL};
    size_t i, colons = 0, dot = 0;
    int name_chars = 1, letters_after_dot = 0;
    if (!n) {
        return -1;
    }
    if ((n == 32 || n == 40 || n == 64) && all_hex(s, n)) {
        return n == 32 ? IOC_P_MD5 : n == 40 ? IOC_P_SHA1 : IOC_P_SHA256;
    }
    if (prefix_ci(s, n, "http://") || prefix_ci(s, n, "https://") || prefix_ci(s, n, "ftp://")) {
        return IOC_P_URL;
    }
    if (prefix_ci(s, n, "HKLM\\") || prefix_ci(s, n, "HKCU\\") || prefix_ci(s, n, "HKU\\") ||
        prefix_ci(s, n, "HKCR\\") || prefix_ci(s, n, "HKCC\\") || prefix_ci(s, n, "HKEY_") ||
        prefix_ci(s, n, "\\REGISTRY\\")) {
        return IOC_P_REG_KEY;
    }
    if (is_ipv4(s, n)) {
        return IOC_P_IPV4;
    }
    for (i = 0; i < n; i++) {
        colons += s[i] == ':';
    }
    if (colons >= 2) {
        for (i = 0; i < n && (s[i] == ':' || s[i] == '.' || all_hex(s + i, 1)); i++) {
        }
        return i == n ? IOC_P_IPV6 : -1;
    }
    if ((n >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/')) || prefix_ci(s, n, "\\\\") ||
        memchr(s, '\\', n)) {
        return IOC_P_FILE_PATH;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            dot = i + 1;
            letters_after_dot = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            letters_after_dot++;
        } else if (!((c >= '0' && c <= '9') || c == '-' || c == '_')) {
            name_chars = 0;
        }
    }
    if (!dot || dot == n) {
        return -1;
    }
    for (i = 0; exts[i]; i++) {
        if (n - dot == strlen(exts[i]) &&
            rh_ascii_casecmp(s + dot, n - dot, exts[i], n - dot) == 0) {
            return IOC_P_FILE_NAME;
        }
    }
    if (name_chars && letters_after_dot == (int)(n - dot) && n - dot >= 2) {
        return IOC_P_DOMAIN;
    }
    return name_chars ? -1 : IOC_P_FILE_NAME;
}

static const char *type_name(int prop)
{
    static const char *const names[IOC_P_COUNT] = {"md5",  "sha1",   "sha256", "filename",
                                                   "path", "domain", "ipv4",   "ipv6",
                                                   "url",  "regkey", "regval", "regdata"};
    return prop >= 0 && prop < IOC_P_COUNT ? names[prop] : "?";
}

/* ---- plain lists ------------------------------------------------------------------------- */

/* One line of a plain list (line: its 1-based number). */
static rh_status list_line(rh_ioc_set *s, struct ioc_feed *feed, const char *l, size_t len,
                           size_t line)
{
    rh_ioc_indicator pub;
    const char *sep;
    size_t vl;
    int prop;
    char idbuf[64];
    while (len && (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t')) {
        len--;
    }
    while (len && (l[0] == ' ' || l[0] == '\t')) {
        l++;
        len--;
    }
    if (line == 1 && len >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0) {
        l += 3;
        len -= 3;
    }
    if (!len || l[0] == '#') {
        return RH_OK;
    }
    /* VALUE [TAB|; DESCRIPTION] */
    sep = memchr(l, '\t', len);
    if (!sep) {
        sep = memchr(l, ';', len);
    }
    vl = sep ? (size_t)(sep - l) : len;
    while (vl && (l[vl - 1] == ' ')) {
        vl--;
    }
    memset(&pub, 0, sizeof(pub));
    snprintf(idbuf, sizeof(idbuf), ":%zu", line);
    {
        size_t fl = strlen(feed->name), il = strlen(idbuf);
        char *id = rh_arena_take(&s->arena, fl + il + 1, 1);
        if (!id) {
            return RH_ERR_NOMEM;
        }
        memcpy(id, feed->name, fl);
        memcpy(id + fl, idbuf, il + 1);
        pub.id = id;
    }
    pub.source = feed->name;
    if (sep) {
        const char *d = sep + 1, *e = l + len;
        while (d < e && (*d == ' ' || *d == '\t')) {
            d++;
        }
        pub.name = rh_arena_strndup(&s->arena, d, (size_t)(e - d));
    } else {
        pub.name = "";
    }
    if (!pub.name) {
        return RH_ERR_NOMEM;
    }
    {
        const char *bar = memchr(l, '|', vl);
        prop = ioc_detect(l, bar ? (size_t)(bar - l) : vl);
        if (bar && prop != IOC_P_REG_KEY) {
            prop = -1;
        }
    }
    if (prop < 0) {
        ioc_report(s, feed, 0, pub.id, "type of '%.*s' not recognised", (int)(vl > 60 ? 60 : vl),
                   l);
        return RH_OK;
    }
    pub.type = type_name(prop);
    pub.pattern = rh_arena_strndup(&s->arena, l, vl);
    if (!pub.pattern) {
        return RH_ERR_NOMEM;
    }
    return add_typed(s, feed, &pub, prop, l, vl);
}

/* ---- STIX ---------------------------------------------------------------------------------- */

static int hash_prop(const char *k)
{
    char h[16];
    size_t i, j = 0;
    for (i = 0; k[i] && j + 1 < sizeof(h); i++) {
        if (k[i] != '-' && k[i] != '\'') {
            h[j++] = (char)(k[i] >= 'a' && k[i] <= 'z' ? k[i] - 32 : k[i]);
        }
    }
    h[j] = 0;
    return strcmp(h, "MD5") == 0      ? IOC_P_MD5
           : strcmp(h, "SHA1") == 0   ? IOC_P_SHA1
           : strcmp(h, "SHA256") == 0 ? IOC_P_SHA256
                                      : -1;
}

/* A cyber-observable (SCO) taken as an indicator (observed-data content). */
static rh_status stix_sco(rh_ioc_set *s, struct ioc_feed *feed, const json_t *o, const char *id)
{
    const char *type = jstr(o, "type"), *v;
    rh_ioc_indicator pub;
    struct ioc_node *x = NULL;
    int prop = -1;
    memset(&pub, 0, sizeof(pub));
    pub.id = dup(s, id ? id : jstr(o, "id"));
    pub.source = feed->name;
    pub.name = "";
    pub.type = dup(s, type);
    if (!pub.id || !pub.type) {
        return RH_ERR_NOMEM;
    }
    if (!type) {
        ioc_report(s, feed, 0, pub.id, "observable without a type");
        return RH_OK;
    }
    if (strcmp(type, "domain-name") == 0) {
        prop = IOC_P_DOMAIN;
    } else if (strcmp(type, "ipv4-addr") == 0) {
        prop = IOC_P_IPV4;
    } else if (strcmp(type, "ipv6-addr") == 0) {
        prop = IOC_P_IPV6;
    } else if (strcmp(type, "url") == 0) {
        prop = IOC_P_URL;
    }
    if (prop >= 0) {
        v = jstr(o, "value");
        if (!v || !v[0]) {
            ioc_report(s, feed, 0, pub.id, "%s without a value", type);
            return RH_OK;
        }
        pub.pattern = dup(s, v);
        return pub.pattern ? add_typed(s, feed, &pub, prop, v, strlen(v)) : RH_ERR_NOMEM;
    }
    if (strcmp(type, "file") == 0) {
        const json_t *h = json_object_get(o, "hashes"), *hv;
        const char *k;
        json_object_foreach((json_t *)h, k, hv)
        {
            int hp = hash_prop(k);
            if (hp >= 0 && json_is_string(hv)) {
                x = mk_bin(
                    s, IOC_N_OR, x,
                    mk_eq(s, (unsigned)hp, json_string_value(hv), strlen(json_string_value(hv))));
            }
        }
        if (!x && (v = jstr(o, "name")) != NULL) {
            x = mk_eq(s, IOC_P_FILE_NAME, v, strlen(v));
        }
        pub.pattern = dup(s, x ? "file observable" : "");
    } else if (strcmp(type, "windows-registry-key") == 0) {
        const json_t *vals = json_object_get(o, "values"), *e;
        struct ioc_node *names = NULL;
        size_t i;
        v = jstr(o, "key");
        if (v) {
            x = mk_eq(s, IOC_P_REG_KEY, v, strlen(v));
            json_array_foreach(vals, i, e)
            {
                const char *nm = jstr(e, "name");
                if (nm) {
                    names = mk_bin(s, IOC_N_OR, names, mk_eq(s, IOC_P_REG_VNAME, nm, strlen(nm)));
                }
            }
            x = names ? mk_bin(s, IOC_N_AND, x, names) : x;
        }
        pub.pattern = dup(s, v ? v : "");
    } else {
        s->stats.ignored++;
        return RH_OK;
    }
    if (!pub.pattern) {
        return RH_ERR_NOMEM;
    }
    if (!x) {
        ioc_report(s, feed, 0, pub.id, "%s observable without a hash, name or key", type);
        return RH_OK;
    }
    return add_expr(s, feed, &pub, x);
}

static rh_status stix_object(rh_ioc_set *s, struct ioc_feed *feed, const json_t *o)
{
    const char *type = jstr(o, "type");
    if (!type) {
        ioc_report(s, feed, 0, jstr(o, "id"), "object without a type");
        return RH_OK;
    }
    if (json_is_true(json_object_get(o, "revoked"))) {
        s->stats.revoked++;
        return RH_OK;
    }
    if (strcmp(type, "indicator") == 0) {
        rh_ioc_indicator pub;
        const char *pt = jstr(o, "pattern_type"), *pat = jstr(o, "pattern"),
                   *vu = jstr(o, "valid_until");
        memset(&pub, 0, sizeof(pub));
        pub.id = dup(s, jstr(o, "id"));
        pub.name = dup(s, jstr(o, "name"));
        pub.source = feed->name;
        pub.type = "stix-pattern";
        pub.pattern = dup(s, pat);
        if (!pub.id || !pub.name || !pub.pattern) {
            return RH_ERR_NOMEM;
        }
        if (pt && strcmp(pt, "stix") != 0) {
            ioc_report(s, feed, 1, pub.id, "pattern_type '%.40s'", pt);
            return RH_OK;
        }
        if (!pat) {
            ioc_report(s, feed, 0, pub.id, "indicator without a pattern");
            return RH_OK;
        }
        if (vu && rh_time_parse_iso(vu, strlen(vu), &pub.valid_until) != RH_OK) {
            ioc_report(s, feed, 0, pub.id, "valid_until '%.40s' is not a timestamp", vu);
            return RH_OK;
        }
        return ioc_add_pattern(s, feed, &pub);
    }
    if (strcmp(type, "observed-data") == 0) {
        /* STIX 2.0 embeds its observables; 2.1 refers to top-level SCOs (loaded as such). */
        const json_t *objs = json_object_get(o, "objects"), *v;
        const char *k;
        rh_status st = RH_OK;
        json_object_foreach((json_t *)objs, k, v)
        {
            st = st == RH_OK ? stix_sco(s, feed, v, jstr(o, "id")) : st;
        }
        if (!objs) {
            s->stats.ignored++;
        }
        return st;
    }
    return stix_sco(s, feed, o, NULL);
}

/* A STIX feed: a bundle (its "objects" streamed), an array of objects, or one object. */
static rh_status load_stix(struct feed_in *in)
{
    int saw_objects = 0, c, more = 1;
    rh_status st = RH_OK;
    c = ioc_in_peek(in, &st);
    if (c == '[') {
        return ioc_each_element(in, stix_object);
    }
    in->pin = in->pos; /* kept for a single object, until "objects" shows a bundle */
    st = ioc_in_expect(in, '{', "expected a JSON object or array");
    if (st == RH_OK && ioc_in_peek(in, &st) == '}') {
        in->pos++; /* {} */
        more = 0;
    }
    while (st == RH_OK && more) {
        size_t kstart;
        if (ioc_in_peek(in, &st) != '"') {
            return st != RH_OK ? st : ioc_bad_json(in, in->pos, "expected a member name");
        }
        st = ioc_in_value(in, &kstart);
        if (st == RH_OK) {
            bool objects = in->pos - kstart == 9 && memcmp(in->buf + kstart, "\"objects\"", 9) == 0;
            st = ioc_in_expect(in, ':', "expected ':'");
            if (st == RH_OK && objects && ioc_in_peek(in, &st) == '[') {
                in->pin = SIZE_MAX;
                st = ioc_each_element(in, stix_object);
                saw_objects = 1;
            } else if (st == RH_OK) {
                st = ioc_in_value(in, &kstart);
            }
        }
        st = st == RH_OK ? ioc_in_next(in, '}', &more) : st;
    }
    if (st == RH_OK && !saw_objects) {
        /* a single STIX object: the window holds it whole from in->pin */
        json_t *o = NULL;
        st = ioc_in_json(in, in->pin, in->pos, &o);
        if (st == RH_OK) {
            st = stix_object(in->s, in->feed, o);
            json_decref(o);
        }
    }
    return st;
}

/* A plain list, line by line. */
static rh_status load_list(struct feed_in *in)
{
    size_t line = 0, shift;
    rh_status st;
    for (;;) {
        const char *l = in->buf + in->pos;
        const char *nl = in->pos < in->len ? memchr(l, '\n', in->len - in->pos) : NULL;
        size_t len;
        if (!nl && !in->eof) {
            st = ioc_in_more(in, in->pos, &shift);
            if (st != RH_OK && st != RH_END) {
                return st;
            }
            continue;
        }
        if (!nl && in->pos >= in->len) {
            return RH_OK;
        }
        len = nl ? (size_t)(nl - l) : in->len - in->pos;
        in->pos += len + (nl ? 1 : 0);
        st = list_line(in->s, in->feed, l, len, ++line);
        if (st != RH_OK) {
            return st;
        }
    }
}

/* ---- MISP ---------------------------------------------------------------------------------- */

static int misp_prop(const char *t)
{
    static const struct {
        const char *t;
        int prop;
    } map[] = {{"md5", IOC_P_MD5},
               {"sha1", IOC_P_SHA1},
               {"sha256", IOC_P_SHA256},
               {"filename", IOC_P_FILE_NAME},
               {"domain", IOC_P_DOMAIN},
               {"hostname", IOC_P_DOMAIN},
               {"ip-dst", IOC_P_IPV4},
               {"ip-src", IOC_P_IPV4},
               {"url", IOC_P_URL},
               {"regkey", IOC_P_REG_KEY},
               {"regkey|value", IOC_P_REG_KEY}};
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(t, map[i].t) == 0) {
            return map[i].prop;
        }
    }
    return -1;
}

static rh_status misp_attr(rh_ioc_set *s, struct ioc_feed *feed, const json_t *a, const char *info)
{
    const char *type = jstr(a, "type"), *v = jstr(a, "value"), *c = jstr(a, "comment");
    rh_ioc_indicator pub;
    int prop;
    if (!type || !v) {
        ioc_report(s, feed, 0, jstr(a, "uuid"), "attribute without type or value");
        return RH_OK;
    }
    if (json_is_true(json_object_get(a, "deleted"))) {
        s->stats.revoked++;
        return RH_OK;
    }
    prop = misp_prop(type);
    if (prop < 0) {
        s->stats.ignored++;
        return RH_OK;
    }
    if (prop == IOC_P_IPV4 && strchr(v, ':')) {
        prop = IOC_P_IPV6;
    }
    memset(&pub, 0, sizeof(pub));
    pub.id = dup(s, jstr(a, "uuid") ? jstr(a, "uuid") : "misp-attribute");
    pub.name = dup(s, c && c[0] ? c : info);
    pub.source = feed->name;
    pub.type = dup(s, type);
    pub.pattern = dup(s, v);
    if (!pub.id || !pub.name || !pub.type || !pub.pattern) {
        return RH_ERR_NOMEM;
    }
    if (prop == IOC_P_REG_KEY && strcmp(type, "regkey") == 0 && strchr(v, '|')) {
        ioc_report(s, feed, 0, pub.id, "regkey value with '|' (use regkey|value)");
        return RH_OK;
    }
    return add_typed(s, feed, &pub, prop, v, strlen(v));
}

/* A registry-key object: key AND name AND data (the ones present). */
static rh_status misp_regobj(rh_ioc_set *s, struct ioc_feed *feed, const json_t *obj,
                             const char *info)
{
    const json_t *attrs = json_object_get(obj, "Attribute"), *a;
    struct ioc_node *x = NULL;
    rh_ioc_indicator pub;
    const char *key = "";
    size_t i;
    json_array_foreach(attrs, i, a)
    {
        const char *rel = jstr(a, "object_relation"), *v = jstr(a, "value");
        if (!rel || !v || json_is_true(json_object_get(a, "deleted"))) {
            continue;
        }
        if (strcmp(rel, "key") == 0) {
            x = mk_bin(s, IOC_N_AND, x, mk_eq(s, IOC_P_REG_KEY, v, strlen(v)));
            key = v;
        } else if (strcmp(rel, "name") == 0) {
            x = mk_bin(s, IOC_N_AND, x, mk_eq(s, IOC_P_REG_VNAME, v, strlen(v)));
        } else if (strcmp(rel, "data") == 0) {
            x = mk_bin(s, IOC_N_AND, x, mk_eq(s, IOC_P_REG_VDATA, v, strlen(v)));
        }
    }
    memset(&pub, 0, sizeof(pub));
    pub.id = dup(s, jstr(obj, "uuid") ? jstr(obj, "uuid") : "misp-object");
    pub.name =
        dup(s, jstr(obj, "comment") && jstr(obj, "comment")[0] ? jstr(obj, "comment") : info);
    pub.source = feed->name;
    pub.type = "registry-key";
    pub.pattern = dup(s, key);
    if (!pub.id || !pub.name || !pub.pattern) {
        return RH_ERR_NOMEM;
    }
    if (!x) {
        ioc_report(s, feed, 0, pub.id, "registry-key object without key, name or data");
        return RH_OK;
    }
    return add_expr(s, feed, &pub, x);
}

static rh_status misp_event(rh_ioc_set *s, struct ioc_feed *feed, const json_t *ev)
{
    const char *info = jstr(ev, "info");
    const json_t *attrs = json_object_get(ev, "Attribute"), *objs = json_object_get(ev, "Object");
    const json_t *a, *o;
    size_t i, j;
    rh_status st = RH_OK;
    if (!info) {
        info = "";
    }
    json_array_foreach(attrs, i, a)
    {
        st = st == RH_OK ? misp_attr(s, feed, a, info) : st;
    }
    json_array_foreach(objs, i, o)
    {
        const char *name = jstr(o, "name");
        if (st != RH_OK) {
            break;
        }
        if (name && strcmp(name, "registry-key") == 0) {
            st = misp_regobj(s, feed, o, info);
            continue;
        }
        json_array_foreach(json_object_get(o, "Attribute"), j, a)
        {
            st = st == RH_OK ? misp_attr(s, feed, a, info) : st;
        }
    }
    return st;
}

static rh_status misp_any(rh_ioc_set *s, struct ioc_feed *feed, const json_t *o)
{
    const json_t *ev = json_object_get(o, "Event"), *r = json_object_get(o, "response"), *e;
    size_t i;
    rh_status st = RH_OK;
    if (json_is_object(ev)) {
        return misp_event(s, feed, ev);
    }
    if (json_is_array(r)) {
        json_array_foreach(r, i, e)
        {
            st = st == RH_OK ? misp_any(s, feed, e) : st;
        }
        return st;
    }
    return misp_event(s, feed, o);
}

/* A MISP feed: parsed whole (events are usually small; bounded by max_file_size). */
static rh_status load_misp(struct feed_in *in)
{
    json_error_t err;
    json_t *o, *e;
    rh_status st = RH_OK;
    size_t i, shift;
    while (st == RH_OK) {
        st = ioc_in_more(in, 0, &shift);
    }
    if (st != RH_END) {
        return st;
    }
    o = json_loadb(in->buf + in->pos, in->len - in->pos, 0, &err);
    if (!o) {
        return ioc_bad_json(in, in->pos + (size_t)(err.position > 0 ? err.position : 0), err.text);
    }
    st = RH_OK;
    if (json_is_array(o)) {
        json_array_foreach(o, i, e)
        {
            st = st == RH_OK ? misp_any(in->s, in->feed, e) : st;
        }
    } else {
        st = misp_any(in->s, in->feed, o);
    }
    json_decref(o);
    return st;
}

/* ---- entry points ----------------------------------------------------------------------- */

/* The format of a JSON feed: MISP when a top-level member (or the first element's) is
 * "Event", "Attribute" or "response"; STIX otherwise. */
static int looks_misp(const char *p, size_t n)
{
    size_t pos = 0, depth = 0, lim = n < 65536 ? n : 65536;
    /* scan the first members at nesting 1 (or 2 inside a top-level array) */
    for (pos = 0; pos < lim; pos++) {
        char c = p[pos];
        if (c == '"') {
            size_t st = pos;
            if (ioc_skip_value(p, lim, &pos) != 1) {
                return 0;
            }
            if ((depth == 1 || (depth == 2 && p[0] == '[')) &&
                ((pos - st == 7 && memcmp(p + st, "\"Event\"", 7) == 0) ||
                 (pos - st == 11 && memcmp(p + st, "\"Attribute\"", 11) == 0) ||
                 (pos - st == 10 && memcmp(p + st, "\"response\"", 10) == 0))) {
                return 1;
            }
            pos--;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 0;
}

/* Register a feed named `name` and load it from `in` (format by its first bytes). */
static rh_status load_feed(rh_ioc_set *s, const char *name, struct feed_in *in)
{
    struct ioc_feed *feed;
    rh_status st = RH_OK;
    size_t shift;
    int c;
    IOC_RESERVE(s->ctx, s->feeds, s->capfeeds, s->nfeeds + 1, st);
    if (st != RH_OK) {
        return st;
    }
    feed = &s->feeds[s->nfeeds];
    memset(feed, 0, sizeof(*feed));
    feed->name = dup(s, name);
    if (!feed->name) {
        return RH_ERR_NOMEM;
    }
    s->nfeeds++;
    s->stats.feeds++;
    in->s = s;
    in->feed = feed;
    in->pin = SIZE_MAX;
    /* the first 64 KiB (or all) decide the format */
    while (st == RH_OK && in->len < 65536) {
        st = ioc_in_more(in, 0, &shift);
    }
    if (st != RH_OK && st != RH_END) {
        return st;
    }
    if (in->len >= 3 && memcmp(in->buf, "\xEF\xBB\xBF", 3) == 0) {
        in->pos = 3;
    }
    st = RH_OK;
    c = ioc_in_peek(in, &st);
    if (c == '{' || c == '[') {
        if (looks_misp(in->buf + in->pos, in->len - in->pos)) {
            feed->format = "misp";
            return load_misp(in);
        }
        feed->format = "stix";
        return load_stix(in);
    }
    feed->format = "list";
    return st != RH_OK ? st : load_list(in);
}

rh_status rh_ioc_load_mem(rh_ioc_set *s, const char *name, const void *data, size_t len)
{
    struct feed_in in;
    if (!s || s->finished || (!data && len)) {
        return RH_ERR_ARG;
    }
    memset(&in, 0, sizeof(in));
    in.fd = -1;
    in.buf = (char *)(uintptr_t)data; /* read only: a memory feed's window never moves */
    in.len = len;
    in.eof = true;
    return load_feed(s, name ? name : "(memory)", &in);
}

rh_status rh_ioc_load_file(rh_ioc_set *s, const char *path)
{
    struct feed_in in;
    uint64_t size;
    rh_status st;
    if (!s || !path || s->finished) {
        return RH_ERR_ARG;
    }
    memset(&in, 0, sizeof(in));
    st = rh_file_open(s->ctx, "ioc", path, &in.fd, &size);
    if (st != RH_OK) {
        return st;
    }
    st = load_feed(s, path, &in);
    rh_fd_close(in.fd);
    rh_free(s->ctx, in.buf);
    return st;
}
