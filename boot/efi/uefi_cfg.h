/* umbra.cfg, the UEFI loader's configuration: its line format and the pure parser. */
#ifndef UMBRA_BOOT_EFI_UEFI_CFG_H
#define UMBRA_BOOT_EFI_UEFI_CFG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The file \EFI\umbra\umbra.cfg on the volume umbra.efi was started from. One directive a
 * line; blank lines and lines whose first non-blank character is '#' are ignored; CR LF and
 * LF line ends are both accepted; only printable ASCII and tabs may appear.
 *
 *   kernel  PATH            Umbra's image (default \EFI\umbra\umbra.elf); at most once
 *   cmdline TEXT...         Umbra's command line: the rest of the line; at most once
 *   guest   PATH [TEXT...]  the guest image; its module string is "guest TEXT...", which
 *                           makes it the guest for Umbra (README, "Module syntax"); at most once
 *   module  PATH [TEXT...]  any further module, with the rest of the line as its string
 *
 * A PATH starting with '\' or '/' is absolute on the boot volume; any other PATH is relative
 * to \EFI\umbra\. Every '/' is turned into '\' (UEFI spec 13.5.1, EFI_FILE_PROTOCOL.Open,
 * separates path components with '\'). Modules are handed to Umbra in the order of the file.
 */
#define UCFG_FILE_PATH		"\\EFI\\umbra\\umbra.cfg"
#define UCFG_DIR		"\\EFI\\umbra\\"
#define UCFG_DEFAULT_KERNEL	"\\EFI\\umbra\\umbra.elf"
#define UCFG_MAX_SIZE		(64u * 1024)	/* a larger file is refused, not truncated */
#define UCFG_LINE_MAX		512u		/* longest line, without its line end */
#define UCFG_PATH_MAX		160u		/* longest path, with its NUL */
#define UCFG_STRING_MAX		384u		/* longest command line or module string, with NUL */
#define UCFG_MAX_MODULES	16u		/* boot/boot_info.h BOOT_MAX_MODULES */
#define UCFG_ERR_MAX		160u		/* a useful size for the err buffer */

struct ucfg_module {
	char path[UCFG_PATH_MAX];
	char string[UCFG_STRING_MAX];
};

struct umbra_cfg {
	char kernel[UCFG_PATH_MAX];
	char cmdline[UCFG_STRING_MAX];
	struct ucfg_module modules[UCFG_MAX_MODULES];
	unsigned module_count;
	bool have_guest;
};

/*
 * Parses len bytes of text (not NUL terminated) into out. Returns 0, or -1 with out in an
 * unspecified state and a one-line reason in err such as "umbra.cfg line 3: unknown directive
 * "modul" (expected kernel, cmdline, guest or module)".
 */
int ucfg_parse(const char *text, size_t len, struct umbra_cfg *out, char *err, size_t errlen);

#endif
