//! A fake register file for host tests: zeroed, word-aligned memory viewed as a register block.
extern crate std;

use core::marker::PhantomData;
use std::vec;

pub struct Fake<T> {
    words: *mut u32,
    len: usize,
    _block: PhantomData<T>,
}

impl<T> Fake<T> {
    pub fn new() -> Self {
        let len = core::mem::size_of::<T>().div_ceil(4);
        // Leaked on purpose: a few hundred bytes per test.
        let words = vec![0u32; len].leak().as_mut_ptr();
        Fake {
            words,
            len,
            _block: PhantomData,
        }
    }

    pub fn regs(&self) -> &T {
        // SAFETY: the memory is zero-initialised, 4-aligned and at least size_of::<T>() bytes;
        // register blocks are made of UnsafeCell-based cells, for which any bits are valid.
        unsafe { &*(self.words as *const T) }
    }

    pub fn word(&self, offset: usize) -> u32 {
        assert!(offset / 4 < self.len);
        // SAFETY: in bounds (checked), aligned.
        unsafe { self.words.add(offset / 4).read_volatile() }
    }

    pub fn set_word(&self, offset: usize, value: u32) {
        assert!(offset / 4 < self.len);
        // SAFETY: in bounds (checked), aligned.
        unsafe { self.words.add(offset / 4).write_volatile(value) }
    }
}
