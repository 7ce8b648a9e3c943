/* sable.efi's firmware-facing helpers: console messages, page allocations it
 * can undo, and whole-file reads from the loader's own volume (GNU-EFI). */
#ifndef SABLE_BOOT_EFI_IO_H
#define SABLE_BOOT_EFI_IO_H

#include <efi.h>
#include <efilib.h>

/* Prints "sable.efi: ERROR: <what>: <detail>" on the firmware console. */
void efi_io_error(const char *what, const char *detail);
/* The same with an EFI status as the detail. */
void efi_io_error_status(const char *what, EFI_STATUS st);
void efi_io_info(const char *msg);

/* AllocatePages of type EfiLoaderData (EfiLoaderCode when code) at exactly
 * addr (fixed) or anywhere below max; remembered so efi_io_free_all can undo it. */
EFI_STATUS efi_io_pages(EFI_ALLOCATE_TYPE how, UINTN pages, EFI_PHYSICAL_ADDRESS *addr,
                        BOOLEAN code);
/* Frees every page allocation made so far: the failure path. */
void efi_io_free_all(void);

/* Opens the root directory of the volume the loader was read from and finds
 * the loader's own directory ("\EFI\sable"), written into dir (cap bytes). */
EFI_STATUS efi_io_open_volume(EFI_HANDLE image, EFI_LOADED_IMAGE **li, char *dir, UINTN cap);

/*
 * Reads the file at path (ASCII, \ separators) on the loader's volume into
 * memory: pool memory when below4g is false, else whole pages below 4 GiB
 * (page-aligned, as Sable's multiboot2 header asks of modules). *size gets the
 * file's length. Prints the error itself and returns its status.
 */
EFI_STATUS efi_io_read(const char *path, BOOLEAN below4g, void **buf, UINTN *size);

#endif
