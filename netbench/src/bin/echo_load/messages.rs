//! The messages the connections send: a table of fixed-size lines shared
//! by all connections, and the check of what comes back.

/// The characters of a payload; never `\n`.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// How many distinct messages there are (prime, so a connection's sequence
/// and its neighbours' do not line up).
const VARIANTS: usize = 61;

/// The messages connections send: message `seq` of connection `id` is
/// variant `(id + seq) % VARIANTS`.
#[derive(Debug)]
pub(crate) struct Messages {
    pub(crate) size: usize,
    table: Vec<u8>,
}

impl Messages {
    pub(crate) fn new(size: usize) -> Self {
        let mut table = Vec::with_capacity(size * VARIANTS);
        for variant in 0..VARIANTS {
            table.extend((0..size - 1).map(|i| ALPHABET[(variant * 7 + i) % ALPHABET.len()]));
            table.push(b'\n');
        }
        Messages { size, table }
    }

    pub(crate) fn get(&self, id: usize, seq: u64) -> &[u8] {
        // The modulo keeps the index below VARIANTS, so it fits a usize.
        let variant = (id as u64).wrapping_add(seq) % VARIANTS as u64;
        let start = variant as usize * self.size;
        &self.table[start..start + self.size]
    }

    /// Checks that `data` is what connection `id` sent from stream offset
    /// `offset` on.
    pub(crate) fn verify(&self, id: usize, mut offset: u64, mut data: &[u8]) -> Result<(), String> {
        let size = self.size as u64;
        while !data.is_empty() {
            let seq = offset / size;
            let within = (offset % size) as usize;
            let want = &self.get(id, seq)[within..];
            let n = want.len().min(data.len());
            if want[..n] != data[..n] {
                let i = want.iter().zip(data).position(|(a, b)| a != b).unwrap_or(0);
                return Err(format!(
                    "echoed byte {} (message {seq}) is {:?}, but {:?} was sent",
                    offset + i as u64,
                    char::from(data[i]),
                    char::from(want[i]),
                ));
            }
            data = &data[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lines_of_the_exact_size() {
        let msgs = Messages::new(64);
        for seq in 0..200 {
            let m = msgs.get(3, seq);
            assert_eq!(m.len(), 64);
            assert_eq!(m.iter().position(|&b| b == b'\n'), Some(63));
        }
        assert_ne!(msgs.get(0, 0), msgs.get(0, 1));
        assert_eq!(Messages::new(1).get(5, 9), b"\n");
    }

    #[test]
    fn verify_accepts_the_stream_in_any_split() {
        let msgs = Messages::new(10);
        let stream: Vec<u8> = (0..5).flat_map(|seq| msgs.get(7, seq).to_vec()).collect();
        for cut in 0..stream.len() {
            assert_eq!(msgs.verify(7, 0, &stream[..cut]), Ok(()));
            assert_eq!(msgs.verify(7, cut as u64, &stream[cut..]), Ok(()));
        }
    }

    #[test]
    fn verify_reports_the_first_wrong_byte() {
        let msgs = Messages::new(10);
        let mut stream: Vec<u8> = (0..3).flat_map(|seq| msgs.get(0, seq).to_vec()).collect();
        stream[13] = b'#';
        let err = msgs.verify(0, 0, &stream).unwrap_err();
        assert!(err.starts_with("echoed byte 13 (message 1)"), "{err}");
        // A skipped message is caught too.
        let skipped: Vec<u8> = [0, 2].iter().flat_map(|&seq| msgs.get(0, seq).to_vec()).collect();
        assert!(msgs.verify(0, 0, &skipped).is_err());
    }
}
