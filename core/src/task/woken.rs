//! The set of woken tasks: a FIFO of task ids without duplicates.

use heapless::Deque;

use super::TaskId;

/// At most `T` woken task ids, in wake order; waking a task that is
/// already woken does nothing.
#[derive(Debug)]
pub struct WokenSet<const T: usize> {
    queue: Deque<u16, T>,
    flags: [bool; T],
}

impl<const T: usize> WokenSet<T> {
    /// An empty set.
    pub const fn new() -> Self {
        WokenSet {
            queue: Deque::new(),
            flags: [false; T],
        }
    }

    /// Marks `id` woken. Returns whether it was newly woken; ids at or past
    /// `T` are ignored (and give `false`).
    pub fn insert(&mut self, id: TaskId) -> bool {
        let i = id.index() as usize;
        match self.flags.get_mut(i) {
            Some(flag) if !*flag => {
                // Cannot fail: every id is queued at most once and there
                // are `T` ids.
                if self.queue.push_back(id.index()).is_ok() {
                    *flag = true;
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// Takes the task woken longest ago.
    pub fn pop(&mut self) -> Option<TaskId> {
        let i = self.queue.pop_front()?;
        if let Some(flag) = self.flags.get_mut(i as usize) {
            *flag = false;
        }
        Some(TaskId::new(i))
    }

    /// Whether no task is woken.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Number of woken tasks.
    pub fn len(&self) -> usize {
        self.queue.len()
    }
}

impl<const T: usize> Default for WokenSet<T> {
    fn default() -> Self {
        Self::new()
    }
}
