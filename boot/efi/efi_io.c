/* sable.efi's firmware-facing helpers (see efi_io.h). UEFI 2.10 sec. 13.4-13.5
 * (simple file system and file protocols), sec. 7.2 (memory allocation). */
#include "boot/efi/efi_io.h"
#include "boot/efi/efi_cfg.h"

#define MAX_ALLOCS 32

static EFI_FILE_HANDLE root;
static struct {
	EFI_PHYSICAL_ADDRESS addr;
	UINTN pages;
} allocs[MAX_ALLOCS];
static UINTN nallocs;

void efi_io_error(const char *what, const char *detail)
{
	Print(L"sable.efi: ERROR: %a: %a\r\n", what, detail);
}

void efi_io_error_status(const char *what, EFI_STATUS st)
{
	Print(L"sable.efi: ERROR: %a: %r\r\n", what, st);
}

void efi_io_info(const char *msg)
{
	Print(L"sable.efi: %a\r\n", msg);
}

EFI_STATUS efi_io_pages(EFI_ALLOCATE_TYPE how, UINTN pages, EFI_PHYSICAL_ADDRESS *addr,
                        BOOLEAN code)
{
	EFI_STATUS st;

	if (nallocs == MAX_ALLOCS)
		return EFI_OUT_OF_RESOURCES;
	st = uefi_call_wrapper(BS->AllocatePages, 4, how, code ? EfiLoaderCode : EfiLoaderData,
	                       pages, addr);
	if (!EFI_ERROR(st)) {
		allocs[nallocs].addr = *addr;
		allocs[nallocs].pages = pages;
		nallocs++;
	}
	return st;
}

void efi_io_free_all(void)
{
	while (nallocs > 0) {
		nallocs--;
		uefi_call_wrapper(BS->FreePages, 2, allocs[nallocs].addr, allocs[nallocs].pages);
	}
}

/* Appends the ASCII form of a UTF-16 file path node to dir. */
static void append_path(char *dir, UINTN cap, UINTN *n, const CHAR16 *s, UINTN chars)
{
	for (UINTN i = 0; i < chars && s[i] != 0; i++) {
		if (*n == 0 && s[i] != L'\\')
			dir[(*n)++] = '\\';
		if (*n + 2 > cap)
			return;
		if (*n > 0 && dir[*n - 1] == '\\' && s[i] == L'\\')
			continue;
		dir[(*n)++] = (s[i] < 0x80 && s[i] != L'/') ? (char)s[i] : '\\';
	}
	if (*n + 2 <= cap && (*n == 0 || dir[*n - 1] != '\\'))
		dir[(*n)++] = '\\';
	dir[*n] = '\0';
}

EFI_STATUS efi_io_open_volume(EFI_HANDLE image, EFI_LOADED_IMAGE **li, char *dir, UINTN cap)
{
	EFI_DEVICE_PATH *dp;
	EFI_STATUS st;
	UINTN n = 0;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)li);
	if (EFI_ERROR(st)) {
		efi_io_error_status("no loaded-image protocol", st);
		return st;
	}
	root = LibOpenRoot((*li)->DeviceHandle);
	if (root == NULL) {
		efi_io_error("cannot open the loader's volume", "no simple file system on it");
		return EFI_NOT_FOUND;
	}
	/* the file path: media file-path nodes, whose strings join into the path */
	dir[0] = '\0';
	for (dp = (*li)->FilePath; dp != NULL && !IsDevicePathEnd(dp);
	     dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) == MEDIA_DEVICE_PATH &&
		    DevicePathSubType(dp) == MEDIA_FILEPATH_DP) {
			FILEPATH_DEVICE_PATH *f = (FILEPATH_DEVICE_PATH *)dp;
			UINTN chars = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);

			append_path(dir, cap, &n, f->PathName, chars);
		}
	}
	/* drop the file name: keep up to the last separator before it */
	while (n > 0 && dir[n - 1] == '\\')
		n--;
	while (n > 0 && dir[n - 1] != '\\')
		n--;
	if (n == 0)
		dir[n++] = '\\';
	dir[n] = '\0';
	return EFI_SUCCESS;
}

EFI_STATUS efi_io_read(const char *path, BOOLEAN below4g, void **buf, UINTN *size)
{
	CHAR16 wpath[EFI_CFG_PATH_MAX];
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *fi;
	EFI_STATUS st;
	UINTN i, len;

	for (i = 0; path[i] != '\0' && i + 1 < EFI_CFG_PATH_MAX; i++)
		wpath[i] = (CHAR16)(unsigned char)path[i];
	wpath[i] = 0;
	st = uefi_call_wrapper(root->Open, 5, root, &f, wpath, EFI_FILE_MODE_READ, 0ULL);
	if (EFI_ERROR(st)) {
		Print(L"sable.efi: ERROR: cannot open %a: %r\r\n", path, st);
		return st;
	}
	fi = LibFileInfo(f);
	if (fi == NULL) {
		Print(L"sable.efi: ERROR: cannot read the size of %a\r\n", path);
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_DEVICE_ERROR;
	}
	len = fi->FileSize;
	FreePool(fi);
	if (below4g) {
		EFI_PHYSICAL_ADDRESS a = 0xffffffffu;

		st = efi_io_pages(AllocateMaxAddress, len / EFI_PAGE_SIZE + 1, &a, FALSE);
		*buf = (void *)(UINTN)a;
	} else {
		*buf = AllocatePool(len + 1);
		st = *buf ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
	}
	if (EFI_ERROR(st)) {
		Print(L"sable.efi: ERROR: no memory for %a (%lu bytes): %r\r\n", path, len, st);
		uefi_call_wrapper(f->Close, 1, f);
		return st;
	}
	*size = len;
	st = uefi_call_wrapper(f->Read, 3, f, size, *buf);
	uefi_call_wrapper(f->Close, 1, f);
	if (EFI_ERROR(st) || *size != len) {
		Print(L"sable.efi: ERROR: cannot read %a: %r\r\n", path, st);
		if (!below4g)
			FreePool(*buf);
		return EFI_ERROR(st) ? st : EFI_END_OF_FILE;
	}
	return EFI_SUCCESS;
}
