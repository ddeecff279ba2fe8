//! Work on a whole return or council, shared among the machine's cores. Threads are no I/O:
//! the answer is the same as one core's, in the same order.

/// `f` of each of `items`, in their order, the items shared among the machine's cores.
pub fn map_on_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(cores).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> =
            items.chunks(chunk).map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        parts.into_iter().flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::map_on_cores;

    #[test]
    fn each_item_is_mapped_once_in_its_order() {
        let items: Vec<u32> = (0..1001).collect();
        assert_eq!(map_on_cores(&items, |n| n * 2), items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(map_on_cores(&[] as &[u32], |n| *n), Vec::<u32>::new());
    }
}
