//! Nearest-rank percentiles over sorted lists: the p-th percentile of n values is the value
//! at rank ceil(p/100 × n) (1-based). Simple to check by hand, always one of the values, and
//! exact over any range when the day lists are merged (unlike averaging per-day medians).

/// The p-th percentile (0 < p <= 100) of `sorted` (ascending); `None` when empty.
pub fn nearest_rank(sorted: &[u32], p: u32) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // ceil(p × n / 100), at least rank 1.
    let rank = (p as usize * n).div_ceil(100).max(1);
    sorted.get(rank.min(n) - 1).copied()
}

/// Merges sorted lists into one sorted list.
pub fn merge(lists: &[&[u32]]) -> Vec<u32> {
    let mut all: Vec<u32> = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
    for l in lists {
        all.extend_from_slice(l);
    }
    all.sort_unstable();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_by_hand() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(nearest_rank(&v, 50), Some(50));
        assert_eq!(nearest_rank(&v, 90), Some(90));
        assert_eq!(nearest_rank(&v, 91), Some(100));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}
