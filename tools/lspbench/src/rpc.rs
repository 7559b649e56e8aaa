//! `Content-Length: N\r\n\r\n<json>` framing of JSON-RPC messages.

use std::io::{self, BufRead, Write};

use serde_json::Value;

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Reads one framed message; `Ok(None)` when the stream ends cleanly between messages.
pub fn read_message(reader: &mut impl BufRead) -> io::Result<Option<Value>> {
    let mut length = None;
    let mut header = String::new();
    let mut any_header = false;
    loop {
        header.clear();
        if reader.read_line(&mut header)? == 0 {
            return if any_header {
                Err(io::ErrorKind::UnexpectedEof.into())
            } else {
                Ok(None)
            };
        }
        let line = header.trim_end();
        if line.is_empty() {
            break;
        }
        any_header = true;
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            let value = value.trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| invalid(format!("bad Content-Length {value:?}")))?,
            );
        }
    }
    let length = length.ok_or_else(|| invalid("message without Content-Length"))?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(serde_json::from_slice(&body)?))
}

/// Writes one framed message and flushes it.
pub fn write_message(writer: &mut impl Write, message: &Value) -> io::Result<()> {
    let body = serde_json::to_vec(message)?;
    write!(writer, "Content-Length: {}\r\n\r\n", body.len())?;
    writer.write_all(&body)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trip() {
        let message = json!({"jsonrpc": "2.0", "method": "initialized", "params": {"é": 1}});
        let mut buffer = Vec::new();
        write_message(&mut buffer, &message).unwrap();
        write_message(&mut buffer, &message).unwrap();
        let mut reader = buffer.as_slice();
        assert_eq!(read_message(&mut reader).unwrap(), Some(message.clone()));
        assert_eq!(read_message(&mut reader).unwrap(), Some(message));
        assert_eq!(read_message(&mut reader).unwrap(), None);
    }

    #[test]
    fn truncated_header_is_an_error() {
        let mut reader: &[u8] = b"Content-Length: 5\r\n";
        assert!(read_message(&mut reader).is_err());
    }
}
