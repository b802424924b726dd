//! Just enough of Thrift's compact protocol to check a Parquet file's declared sizes before
//! the parquet crate trusts them.
//!
//! The parquet crate reserves memory for what a file claims: a row group list of 2^31
//! entries, a page of 2^31 bytes. A failed allocation aborts the process, which no
//! `catch_unwind` can contain, so the claims are checked here first: every count and length
//! against the bytes that remain, and each page's sizes against its column chunk.

#[derive(Debug)]
pub(crate) enum ThriftError {
    /// The bytes ran out: read more, or the structure is cut short.
    Eof,
    Malformed(&'static str),
}

type Result<T> = std::result::Result<T, ThriftError>;

const MAX_DEPTH: usize = 64;

pub(crate) struct Compact<'a> {
    buf: &'a [u8],
    pub(crate) pos: usize,
    depth: usize,
}

impl<'a> Compact<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Compact {
            buf,
            pos: 0,
            depth: 0,
        }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8> {
        let b = *self.buf.get(self.pos).ok_or(ThriftError::Eof)?;
        self.pos += 1;
        Ok(b)
    }

    fn advance(&mut self, n: u64) -> Result<()> {
        let n = usize::try_from(n).map_err(|_| ThriftError::Eof)?;
        if n > self.remaining() {
            return Err(ThriftError::Eof);
        }
        self.pos += n;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ThriftError::Malformed(
            "a variable-length integer is too long",
        ))
    }

    fn zigzag(&mut self) -> Result<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32> {
        i32::try_from(self.zigzag()?)
            .map_err(|_| ThriftError::Malformed("a 32-bit integer is out of range"))
    }

    /// A field header: `None` at the end of a struct.
    fn field(&mut self, last: &mut i64) -> Result<Option<(i64, u8)>> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let ty = b & 0x0f;
        let delta = i64::from(b >> 4);
        let id = if delta == 0 {
            self.zigzag()?
        } else {
            *last + delta
        };
        *last = id;
        Ok(Some((id, ty)))
    }

    /// Skips a value of type `ty` found in a field (booleans carry their value in the type).
    fn skip(&mut self, ty: u8) -> Result<()> {
        match ty {
            1 | 2 => Ok(()),
            _ => self.skip_value(ty),
        }
    }

    /// Skips a value of type `ty` found in a list, a set or a map (a boolean is a byte there).
    fn skip_value(&mut self, ty: u8) -> Result<()> {
        match ty {
            1..=3 => self.byte().map(drop),
            4..=6 => self.varint().map(drop),
            7 => self.advance(8),
            8 => {
                let len = self.varint()?;
                self.advance(len)
            }
            9 | 10 => {
                let head = self.byte()?;
                let elem = head & 0x0f;
                let size = match head >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                // Every element takes at least one byte: a larger count is a lie.
                if size > self.remaining() as u64 {
                    return Err(ThriftError::Malformed(
                        "a list claims more items than the bytes that follow",
                    ));
                }
                self.nested(|p| {
                    for _ in 0..size {
                        p.skip_value(elem)?;
                    }
                    Ok(())
                })
            }
            11 => {
                let size = self.varint()?;
                if size == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                if size.saturating_mul(2) > self.remaining() as u64 {
                    return Err(ThriftError::Malformed(
                        "a map claims more items than the bytes that follow",
                    ));
                }
                self.nested(|p| {
                    for _ in 0..size {
                        p.skip_value(types >> 4)?;
                        p.skip_value(types & 0x0f)?;
                    }
                    Ok(())
                })
            }
            12 => self.nested(|p| {
                let mut last = 0;
                while let Some((_, t)) = p.field(&mut last)? {
                    p.skip(t)?;
                }
                Ok(())
            }),
            _ => Err(ThriftError::Malformed("an unknown value type")),
        }
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(ThriftError::Malformed("structures nest too deeply"));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Walks one struct, checking every declared count and length; returns its size in bytes.
    pub(crate) fn check_struct(mut self) -> Result<usize> {
        self.skip_value(12)?;
        Ok(self.pos)
    }

    /// The field 1 (`num_values`, an i32) of a nested page header struct.
    fn num_values(&mut self) -> Result<Option<i32>> {
        let mut out = None;
        self.nested(|p| {
            let mut last = 0;
            while let Some((id, t)) = p.field(&mut last)? {
                if id == 1 && t == 5 {
                    out = Some(p.i32()?);
                } else {
                    p.skip(t)?;
                }
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// What a page header declares.
#[derive(Debug, Default)]
pub(crate) struct PageHeader {
    pub page_type: i32,
    pub uncompressed: i32,
    pub compressed: i32,
    pub num_values: Option<i32>,
    /// Bytes the header itself takes.
    pub len: usize,
}

/// A dictionary page (its values are decoded into memory whole).
pub(crate) const DICTIONARY_PAGE: i32 = 2;

pub(crate) fn page_header(buf: &[u8]) -> Result<PageHeader> {
    let mut p = Compact::new(buf);
    let mut h = PageHeader::default();
    let (mut seen_uncompressed, mut seen_compressed) = (false, false);
    let mut last = 0;
    while let Some((id, t)) = p.field(&mut last)? {
        match (id, t) {
            (1, 5) => h.page_type = p.i32()?,
            (2, 5) => {
                h.uncompressed = p.i32()?;
                seen_uncompressed = true;
            }
            (3, 5) => {
                h.compressed = p.i32()?;
                seen_compressed = true;
            }
            (5 | 7 | 8, 12) => h.num_values = p.num_values()?,
            _ => p.skip(t)?,
        }
    }
    if !(seen_uncompressed && seen_compressed) {
        return Err(ThriftError::Malformed("a page header without its sizes"));
    }
    h.len = p.pos;
    Ok(h)
}

/// A list's place in the bytes: its header, the type of its items, and each item's bytes.
#[derive(Debug, Default, Clone)]
pub(crate) struct List {
    pub header: std::ops::Range<usize>,
    pub elem: u8,
    pub items: Vec<std::ops::Range<usize>>,
}

/// One schema element: its name, how many children it claims, and where that count is
/// written (to rewrite it).
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub children: Option<i32>,
    pub children_at: Option<std::ops::Range<usize>>,
}

/// One row group: its column chunks (one per leaf of the schema) and its row count.
#[derive(Debug, Default)]
pub(crate) struct RowGroup {
    pub columns: Option<List>,
    pub rows: i64,
}

/// Where the parts of a FileMetaData lie in its bytes, so that a footer can be rewritten
/// without some columns or with only some row groups, and what is decided from it alone.
#[derive(Debug, Default)]
pub(crate) struct Footer {
    pub schema: Option<List>,
    pub elements: Vec<Element>,
    pub row_groups: Option<List>,
    pub groups: Vec<RowGroup>,
    pub column_orders: Option<List>,
    pub key_values: Option<List>,
    /// Indexes (into `key_values.items`) of the entries whose key is `ARROW:schema`.
    pub arrow_schema: Vec<usize>,
    /// Field 8, `encryption_algorithm`: set in an encrypted file with a plaintext footer.
    pub encrypted: bool,
}

impl<'a> Compact<'a> {
    fn list_header(&mut self) -> Result<(u8, u64)> {
        let head = self.byte()?;
        let size = match head >> 4 {
            15 => self.varint()?,
            n => u64::from(n),
        };
        if size > self.remaining() as u64 {
            return Err(ThriftError::Malformed(
                "a list claims more items than the bytes that follow",
            ));
        }
        Ok((head & 0x0f, size))
    }

    /// A list, recording each item's bytes; `each` reads one item (it is at `items[i].start`).
    fn list_with(&mut self, mut each: impl FnMut(&mut Self, u8) -> Result<()>) -> Result<List> {
        let start = self.pos;
        let (elem, size) = self.list_header()?;
        let mut list = List {
            header: start..self.pos,
            elem,
            items: Vec::new(),
        };
        for _ in 0..size {
            let at = self.pos;
            each(self, elem)?;
            list.items.push(at..self.pos);
        }
        Ok(list)
    }

    fn string(&mut self) -> Result<&'a [u8]> {
        let len = self.varint()?;
        let start = self.pos;
        self.advance(len)?;
        Ok(&self.buf[start..self.pos])
    }

    fn element(&mut self) -> Result<Element> {
        let mut e = Element::default();
        self.nested(|p| {
            let mut last = 0;
            while let Some((id, t)) = p.field(&mut last)? {
                match (id, t) {
                    (4, 8) => {
                        let name = p.string()?;
                        e.name = steward_io::clip(&String::from_utf8_lossy(name), 80).into_owned();
                    }
                    (5, 5) => {
                        let at = p.pos;
                        e.children = Some(p.i32()?);
                        e.children_at = Some(at..p.pos);
                    }
                    _ => p.skip(t)?,
                }
            }
            Ok(())
        })?;
        Ok(e)
    }

    fn row_group(&mut self) -> Result<RowGroup> {
        let mut g = RowGroup::default();
        self.nested(|p| {
            let mut last = 0;
            while let Some((id, t)) = p.field(&mut last)? {
                match (id, t) {
                    (1, 9) => g.columns = Some(p.list_with(|p, e| p.skip_value(e))?),
                    (3, 6) => g.rows = p.zigzag()?,
                    _ => p.skip(t)?,
                }
            }
            Ok(())
        })?;
        Ok(g)
    }
}

/// Indexes a FileMetaData (after `check_struct` has accepted it).
pub(crate) fn footer(buf: &[u8]) -> Result<Footer> {
    let mut p = Compact::new(buf);
    let mut f = Footer::default();
    let mut last = 0;
    while let Some((id, t)) = p.field(&mut last)? {
        match (id, t) {
            (2, 9) => {
                let mut elements = Vec::new();
                let list = p.list_with(|p, e| {
                    if e != 12 {
                        return Err(ThriftError::Malformed(
                            "a schema that is not a list of structs",
                        ));
                    }
                    elements.push(p.element()?);
                    Ok(())
                })?;
                f.schema = Some(list);
                f.elements = elements;
            }
            (4, 9) => {
                let mut groups = Vec::new();
                let list = p.list_with(|p, e| {
                    if e != 12 {
                        return Err(ThriftError::Malformed("row groups that are not structs"));
                    }
                    groups.push(p.row_group()?);
                    Ok(())
                })?;
                f.row_groups = Some(list);
                f.groups = groups;
            }
            (5, 9) => {
                let mut arrow = Vec::new();
                let mut i = 0;
                let list = p.list_with(|p, e| {
                    if e != 12 {
                        return p.skip_value(e);
                    }
                    p.nested(|p| {
                        let mut last = 0;
                        while let Some((id, t)) = p.field(&mut last)? {
                            if (id, t) == (1, 8) {
                                if p.string()? == b"ARROW:schema" {
                                    arrow.push(i);
                                }
                            } else {
                                p.skip(t)?;
                            }
                        }
                        Ok(())
                    })?;
                    i += 1;
                    Ok(())
                })?;
                f.key_values = Some(list);
                f.arrow_schema = arrow;
            }
            (7, 9) => f.column_orders = Some(p.list_with(|p, e| p.skip_value(e))?),
            (8, 12) => {
                f.encrypted = true;
                p.skip(t)?;
            }
            _ => p.skip(t)?,
        }
    }
    Ok(f)
}

/// Writes a list header for `count` items of type `elem`.
pub(crate) fn list_header(out: &mut Vec<u8>, elem: u8, count: usize) {
    if count < 15 {
        out.push(((count as u8) << 4) | elem);
    } else {
        out.push(0xf0 | elem);
        varint(out, count as u64);
    }
}

pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub(crate) fn zigzag(out: &mut Vec<u8>, v: i64) {
    varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_longer_than_its_bytes_is_refused() {
        // struct { 1: list<i32> of 2^31 items } with only a few bytes after it.
        let bytes = [0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x00];
        assert!(matches!(
            Compact::new(&bytes).check_struct(),
            Err(ThriftError::Malformed(_))
        ));
    }

    #[test]
    fn a_page_header_is_read() {
        // type=0, uncompressed=100, compressed=50, data_page_header { num_values=10 }
        let bytes = [
            0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0x64, 0x2c, 0x15, 0x14, 0x00, 0x00,
        ];
        let h = page_header(&bytes).unwrap();
        assert_eq!(
            (h.uncompressed, h.compressed, h.num_values, h.len),
            (100, 50, Some(10), 12)
        );
        assert!(matches!(page_header(&bytes[..5]), Err(ThriftError::Eof)));
    }
}
