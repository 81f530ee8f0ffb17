//! Stable sorting through one compiled sort.
//!
//! std's stable sort is compiled once per element type and comparison, ≈ 3–5 KB of wasm each (the
//! seventh session counted eight copies, 37 KB raw with the unstable ones). [`sort_by`] sorts a list
//! of positions instead, through one non-generic sort behind a `&dyn Fn`, and then moves the items
//! into that order; ties keep their order, exactly as `slice::sort_by`. Shipped code sorts through
//! here (clippy's `disallowed-methods` names std's stable sorts); tests compare with std's.

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, stably (equal items keep their order), like `slice::sort_by`.
pub fn sort_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &|a, b| cmp(&items[a], &items[b]));
    permute(items, &mut order);
}

/// Sorts `items` by the key `key` gives each, stably, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Positions sorted by `cmp`, ties by position (so an unstable sort gives the stable order); the
/// one compiled sort every caller shares.
#[inline(never)]
fn sort_positions(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
}

/// Moves `items` so that position `i` holds what was at `order[i]`, in place by following each
/// cycle of the permutation with swaps (`order` is left as the identity).
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same order as std's stable sort, ties included (the second field tells equal keys apart).
        #[test]
        fn sorts_like_std_stable_sort(mut items in proptest::collection::vec((0u8..6, any::<u16>()), 0..80)) {
            let mut expected = items.clone();
            expected.sort_by_key(|a| a.0);
            sort_by(&mut items, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(items, expected);
        }

        #[test]
        fn sorts_by_key_like_std(mut items in proptest::collection::vec(any::<(u8, u8)>(), 0..60)) {
            let mut expected = items.clone();
            expected.sort_by_key(|p| std::cmp::Reverse(p.1));
            sort_by_key(&mut items, |p| std::cmp::Reverse(p.1));
            prop_assert_eq!(items, expected);
        }
    }

    #[test]
    fn items_that_are_not_clone_are_moved_not_copied() {
        let mut items: Vec<Box<str>> = ["b", "c", "a", "b"].map(Box::from).to_vec();
        sort_by(&mut items, |a, b| a.cmp(b));
        assert_eq!(items.iter().map(|s| &**s).collect::<Vec<_>>(), ["a", "b", "b", "c"]);
    }
}
