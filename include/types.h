/* Basic types shared by the hypervisor and its host-built unit tests. */
#ifndef SABLE_TYPES_H
#define SABLE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t hpa_t; /* host-physical address */
typedef uint64_t gpa_t; /* guest-physical address */
typedef uint64_t hva_t; /* host-virtual address */
typedef uint64_t gva_t; /* guest-virtual address */

#define INVALID_HPA ((hpa_t) ~(uint64_t)0)
#define INVALID_GPA ((gpa_t) ~(uint64_t)0)

#define PAGE_SHIFT      12
#define PAGE_SIZE       ((uint64_t)1 << PAGE_SHIFT)
#define PAGE_MASK       (~(PAGE_SIZE - 1))
#define LARGE_PAGE_SIZE ((uint64_t)1 << 21)
#define HUGE_PAGE_SIZE  ((uint64_t)1 << 30)

#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + (__typeof__(x))(a)-1, (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))
#define BIT(n)           ((uint64_t)1 << (n))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define __packed       __attribute__((packed))
#define __aligned(x)   __attribute__((aligned(x)))
#define __noreturn     __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused       __attribute__((unused))
#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)

#define STRINGIFY(x)  #x
#define XSTRINGIFY(x) STRINGIFY(x)

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#endif
