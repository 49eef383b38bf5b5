/* umbra.efi's messages on the UEFI console (UEFI 2.10 spec 12.4, Simple Text Output). */
#include <stdarg.h>

#include "boot/efi/uefi_loader.h"
#include "lib/format.h"

#define SAY_MAX		320

static void say_line(const char *prefix, const char *fmt, va_list ap)
{
	char text[SAY_MAX];
	CHAR16 wide[2 * SAY_MAX + 16];
	unsigned n = 0;

	vsnprintk(text, sizeof(text), fmt, ap);
	for (const char *p = prefix; *p; p++)
		wide[n++] = (CHAR16)*p;
	/* OutputString() takes UCS-2 and does not turn LF into CR LF (12.4.3). */
	for (const char *p = text; *p && n < sizeof(wide) / sizeof(wide[0]) - 3; p++) {
		if (*p == '\n')
			wide[n++] = L'\r';
		wide[n++] = (CHAR16)(unsigned char)*p;
	}
	wide[n] = 0;
	uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
}

void uefi_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line("umbra.efi: ", fmt, ap);
	va_end(ap);
}

EFI_STATUS uefi_fail(EFI_STATUS status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line("umbra.efi: error: ", fmt, ap);
	va_end(ap);
	uefi_say("returning to the firmware (%s)\n", uefi_status_name(status));
	return status;
}

const char *uefi_status_name(EFI_STATUS status)
{
	static char other[32];

	switch (status) {
	case EFI_SUCCESS:		return "EFI_SUCCESS";
	case EFI_LOAD_ERROR:		return "EFI_LOAD_ERROR";
	case EFI_INVALID_PARAMETER:	return "EFI_INVALID_PARAMETER";
	case EFI_UNSUPPORTED:		return "EFI_UNSUPPORTED";
	case EFI_BUFFER_TOO_SMALL:	return "EFI_BUFFER_TOO_SMALL";
	case EFI_DEVICE_ERROR:		return "EFI_DEVICE_ERROR";
	case EFI_OUT_OF_RESOURCES:	return "EFI_OUT_OF_RESOURCES";
	case EFI_VOLUME_CORRUPTED:	return "EFI_VOLUME_CORRUPTED";
	case EFI_NOT_FOUND:		return "EFI_NOT_FOUND";
	case EFI_ACCESS_DENIED:		return "EFI_ACCESS_DENIED";
	case EFI_BAD_BUFFER_SIZE:	return "EFI_BAD_BUFFER_SIZE";
	case EFI_NO_MEDIA:		return "EFI_NO_MEDIA";
	default:
		snprintk(other, sizeof(other), "status 0x%llx", (unsigned long long)status);
		return other;
	}
}
