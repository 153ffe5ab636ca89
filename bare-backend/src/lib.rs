//! eddy-bare (being written).
#![no_std]
