//! Catalog rows kept in blocks of a fixed size, for the queries that return a row per
//! column, constraint, index, policy or trigger.
//!
//! A `Vec` grown a row at a time doubles: its rows are copied into each larger buffer,
//! and the memory touched is about twice the rows'. Reading 5,000 tables (100,000
//! columns, 60,000 constraints, 23,000 indexes), that growth was a fifth of the page
//! faults of `check --specs --db` and a tenth of its `memcpy`. Blocks never move a row
//! once it is read, and the conversions after reading ([`Blocks::map`]) reuse each
//! block's buffer.

/// Rows per block: large enough that the list of blocks stays short, small enough that
/// the last block's unused room is a few hundred kilobytes at most.
const BLOCK_ROWS: usize = 1024;

/// A list of rows in blocks of [`BLOCK_ROWS`], in the order they were pushed.
#[derive(Debug, Clone)]
pub(super) struct Blocks<T> {
    blocks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks {
            blocks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Blocks<T> {
    /// No rows.
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// Adds `row` after the others.
    pub(super) fn push(&mut self, row: T) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < BLOCK_ROWS => block.push(row),
            _ => {
                let mut block = Vec::with_capacity(BLOCK_ROWS);
                block.push(row);
                self.blocks.push(block);
            }
        }
        self.len += 1;
    }

    /// How many rows there are.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The row at `position` (counted from 0 in push order).
    pub(super) fn get(&self, position: usize) -> Option<&T> {
        self.blocks
            .get(position / BLOCK_ROWS)?
            .get(position % BLOCK_ROWS)
    }

    /// The rows, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &T> {
        self.blocks.iter().flatten()
    }

    /// Each row converted by `convert`, in order; a block's buffer is reused when the
    /// converted rows fit in it.
    pub(super) fn map<U>(self, mut convert: impl FnMut(T) -> U) -> Blocks<U> {
        let blocks = self
            .blocks
            .into_iter()
            .map(|block| block.into_iter().map(&mut convert).collect())
            .collect();
        Blocks {
            blocks,
            len: self.len,
        }
    }
}

impl<T> IntoIterator for Blocks<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<T>>>;

    /// The rows, in order; each block is freed once its rows are taken.
    fn into_iter(self) -> Self::IntoIter {
        self.blocks.into_iter().flatten()
    }
}

impl<T> From<Vec<T>> for Blocks<T> {
    fn from(rows: Vec<T>) -> Self {
        let mut blocks = Blocks::new();
        for row in rows {
            blocks.push(row);
        }
        blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_order_and_positions_across_blocks() {
        let count = BLOCK_ROWS * 2 + 3;
        let mut blocks = Blocks::new();
        for row in 0..count {
            blocks.push(row);
        }
        assert_eq!(blocks.len(), count);
        assert_eq!(blocks.blocks.len(), 3);
        assert_eq!(blocks.get(0), Some(&0));
        assert_eq!(blocks.get(BLOCK_ROWS), Some(&BLOCK_ROWS));
        assert_eq!(blocks.get(count - 1), Some(&(count - 1)));
        assert_eq!(blocks.get(count), None);
        assert!(blocks.iter().copied().eq(0..count));
        let doubled = blocks.map(|row| row * 2);
        assert_eq!(doubled.len(), count);
        assert!(doubled.into_iter().eq((0..count).map(|row| row * 2)));
        let from_vec: Blocks<usize> = (0..5).collect::<Vec<_>>().into();
        assert_eq!(from_vec.len(), 5);
        assert!(from_vec.into_iter().eq(0..5));
        assert_eq!(Blocks::<u8>::new().iter().count(), 0);
    }
}
