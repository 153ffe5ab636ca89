//! eddy example programs (being written).
