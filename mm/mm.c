#include "mm/mm.h"
#include "err.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/lib/spinlock.h"
#include "mm/heap.h"
#include "param.h"
#include "kstring.h"

#define LOW_MEMORY_END  MiB(1)
#define MIN_FREE_MEMORY MiB(16)

static struct frame_alloc frames;
static struct spinlock frames_lock = SPINLOCK_INIT;
static struct heap heap;
static struct spinlock heap_lock = SPINLOCK_INIT;
/* Frames must be reachable through the current page tables: 4 GiB under the
 * boot tables, the whole direct map afterwards. */
static uint64_t alloc_limit = GiB(4);

static void reserve(const char *what, uint64_t base, uint64_t len)
{
	if (frame_reserve(&frames, base, len) < 0)
		panic("cannot reserve %s [0x%lx, 0x%lx)", what, base, base + len);
}

static void report_map_problems(const struct frame_map_report *rep)
{
	if (rep->overlaps || rep->zero_len || rep->wraps || rep->unaligned)
		log_warn("memory map: %u overlapping, %u empty, %u wrapping, %u unaligned entries "
		         "(overlaps treated as reserved)",
		         rep->overlaps, rep->zero_len, rep->wraps, rep->unaligned);
}

void mm_init(const struct mb2_info *info, uint64_t mbi_pa)
{
	struct frame_map_report rep;
	uint64_t usable;
	hpa_t heap_pa;

	if (!info->mmap_count)
		panic("boot loader gave no memory map; cannot continue");
	frame_init(&frames);
	if (frame_init_from_map(&frames, info->mmap, info->mmap_count, &rep) < 0)
		panic("memory map has more ranges than the allocator holds (%d)", MAX_FREE_RANGES);
	report_map_problems(&rep);
	if (info->mmap_dropped)
		log_warn("memory map: %zu entries beyond %d ignored", info->mmap_dropped,
		         MAX_MEM_REGIONS);
	usable = frames.free_frames * PAGE_SIZE;

	reserve("low memory", 0, LOW_MEMORY_END);
	reserve("hypervisor image", (uint64_t)__image_start,
	        (uint64_t)(__image_end - __image_start));
	reserve("boot information", mbi_pa, info->total_size);
	for (size_t i = 0; i < info->module_count; i++)
		reserve("boot module", info->modules[i].start,
		        info->modules[i].end - info->modules[i].start);

	if (frames.free_frames * PAGE_SIZE < MIN_FREE_MEMORY + HEAP_SIZE)
		panic("not enough memory: %lu KiB free after reservations, need %lu KiB",
		      frames.free_frames * PAGE_SIZE >> 10, (MIN_FREE_MEMORY + HEAP_SIZE) >> 10);
	heap_pa = frame_alloc(&frames, HEAP_SIZE / PAGE_SIZE, PAGE_SIZE, alloc_limit);
	heap_init(&heap);
	heap_add_arena(&heap, phys_to_virt(heap_pa), HEAP_SIZE);

	log_info("memory: %lu MiB usable in %zu map entries, %lu MiB free, %zu free ranges",
	         usable >> 20, info->mmap_count, frames.free_frames * PAGE_SIZE >> 20,
	         frames.nfree);
	log_info("memory: image [0x%lx, 0x%lx), heap %lu KiB at 0x%lx, %zu module(s)",
	         (uint64_t)__image_start, (uint64_t)__image_end, HEAP_SIZE >> 10, heap_pa,
	         info->module_count);
}

hpa_t mm_alloc_frames_below(size_t nframes, uint64_t align, uint64_t limit)
{
	hpa_t pa;

	spin_lock(&frames_lock);
	pa = frame_alloc(&frames, nframes, align, MIN(limit, alloc_limit));
	spin_unlock(&frames_lock);
	if (pa != INVALID_HPA)
		memset(phys_to_virt(pa), 0, nframes * PAGE_SIZE);
	return pa;
}

hpa_t mm_alloc_frames(size_t nframes, uint64_t align)
{
	return mm_alloc_frames_below(nframes, align, ~0ull);
}

void mm_free_frames(hpa_t pa, size_t nframes)
{
	int r;

	spin_lock(&frames_lock);
	r = frame_free(&frames, pa, nframes);
	spin_unlock(&frames_lock);
	if (r < 0)
		panic("bad free of %zu frames at 0x%lx", nframes, pa);
}

uint64_t mm_free_bytes(void)
{
	return frames.free_frames * PAGE_SIZE;
}

void mm_report(const char *when)
{
	uint64_t free_frames;
	size_t heap_free, heap_used;

	spin_lock(&frames_lock);
	free_frames = frames.free_frames;
	spin_unlock(&frames_lock);
	spin_lock(&heap_lock);
	heap_free = heap.free_bytes;
	heap_used = heap.used_blocks;
	spin_unlock(&heap_lock);
	log_info("memory %s: %lu frames free, heap %zu bytes free, %zu heap blocks in use", when,
	         free_frames, heap_free, heap_used);
}

void mm_set_alloc_limit(uint64_t limit)
{
	alloc_limit = limit;
}

void *kmalloc_aligned(size_t size, size_t align)
{
	void *p;

	spin_lock(&heap_lock);
	p = heap_alloc(&heap, size, align);
	spin_unlock(&heap_lock);
	return p;
}

void *kmalloc(size_t size)
{
	return kmalloc_aligned(size, 0);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	int r;

	spin_lock(&heap_lock);
	r = heap_free(&heap, p);
	spin_unlock(&heap_lock);
	if (r < 0)
		panic("kfree of a pointer the heap did not hand out: %p", p);
}
