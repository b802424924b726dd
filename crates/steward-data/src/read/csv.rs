//! CSV: a header row, quoted fields, UTF-8; types inferred from the values as pandas infers
//! them (numbers, or text).

use std::sync::Arc;

use arrow_schema::{Field, Schema};

use super::{Batches, TextSource, batch_rows, clean, plan};
use crate::{DataError, err};

/// Cells read as missing, as pandas reads them: empty, NA, N/A, NaN, nan, null, NULL, None.
/// Infinities in any spelling pandas parses (`inf`, `-Infinity`, `INF`) are missing too:
/// Evidently drops them, and arrow would otherwise read `Infinity` as text and turn a column
/// of numbers into categories. (`1e400` is read as a number, infinite, and dropped later.)
fn regex_nulls() -> regex::Regex {
    regex::Regex::new("^(|NA|N/A|NaN|nan|null|NULL|None|[+-]?(?i:inf|infinity))$")
        .expect("a valid pattern")
}

pub(crate) fn read(
    name: &str,
    mut source: TextSource,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Batches, DataError> {
    let format = arrow_csv::reader::Format::default()
        .with_header(true)
        .with_null_regex(regex_nulls());
    let (schema, _) = format
        .infer_schema(source.for_inference()?, None)
        .map_err(|e| {
            err(
                name,
                format!(
                    "cannot read the CSV header and rows: {}",
                    clean(&e.to_string())
                ),
            )
        })?;
    if schema.fields().is_empty() {
        return Err(err(name, "the CSV file has no header row"));
    }
    // Two empty header cells (`x,,`) are two columns with the same name, "": which would a
    // report line be about? Refused like any duplicate, before pandas-style renaming could
    // hide it.
    let unnamed: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    if let [first, second, ..] = unnamed[..] {
        return Err(err(
            name,
            format!(
                "duplicate column name: columns {first} and {second} have no name in the header; name them"
            ),
        ));
    }
    // A single empty header cell (a trailing comma, `x,`) gets the name pandas gives it, so
    // the column can be named in --columns and matches an Evidently report of the same file.
    let fields: Vec<Arc<Field>> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if f.name().is_empty() {
                Arc::new(f.as_ref().clone().with_name(format!("Unnamed: {i}")))
            } else {
                f.clone()
            }
        })
        .collect();
    let (projection, unsupported) = plan(name, &fields, keep)?;
    let schema = Arc::new(Schema::new(fields));
    let projected = Arc::new(
        schema
            .project(&projection)
            .map_err(|e| err(name, clean(&e.to_string())))?,
    );
    // The decoder splits every field of a row, kept or not, so the batch is sized by all
    // the columns; only the kept ones are parsed into arrays.
    let reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_format(format)
        .with_projection(projection)
        .with_batch_size(batch_rows(schema.fields().len()))
        .build_buffered(source.into_reader()?)
        .map_err(|e| err(name, clean(&e.to_string())))?;
    Ok(Batches {
        schema: projected,
        unsupported,
        batches: Box::new(reader.map(move |b| b.map_err(|e| message(&e.to_string(), &schema)))),
    })
}

/// arrow-csv's parse errors quote the whole row ("Row data: '[...]'"), which for a 20 MB
/// cell is a 20 MB line, and count columns from 0: say it with the column's name and a
/// clipped value instead.
fn message(e: &str, schema: &Schema) -> String {
    let e = e.split(". Row data: ").next().unwrap_or(e);
    let e = e.strip_prefix("Parser error: ").unwrap_or(e);
    if let Some(rest) = e.strip_prefix("Error while parsing value '")
        && let Some(at) = rest.rfind("' as type '")
    {
        let value = &rest[..at];
        let tail = &rest[at + "' as type '".len()..];
        // tail: "Float64' for column 3 at line 5"
        let mut parts = tail.splitn(2, "' for column ");
        let ty = parts.next().unwrap_or("");
        let place = parts.next().unwrap_or("");
        let mut place = place.splitn(2, " at line ");
        let column = place
            .next()
            .and_then(|c| c.parse::<usize>().ok())
            .and_then(|c| schema.fields().get(c))
            .map(|f| steward_io::clip(f.name(), 80).into_owned())
            .unwrap_or_default();
        let line = place
            .next()
            .and_then(|l| l.parse::<usize>().ok())
            .map(|l| l + 1)
            .unwrap_or(0);
        return format!(
            "line {line}, column `{column}`: cannot read `{}` as a {}",
            steward_io::clip(value, 60),
            type_word(ty),
        );
    }
    clean(e)
}

fn type_word(ty: &str) -> &'static str {
    match ty {
        "Boolean" => "boolean",
        t if t.starts_with("Int") || t.starts_with("UInt") => "whole number",
        t if t.starts_with("Float") => "number",
        _ => "value of the column's type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::DataType;

    #[test]
    fn a_parse_error_names_the_column_and_clips_the_value() {
        let schema = Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("score", DataType::Float64, true),
        ]);
        let big = "x".repeat(1 << 20);
        let e = format!(
            "Parser error: Error while parsing value '{big}' as type 'Float64' for column 1 at line 4. Row data: '[1,{big}]'"
        );
        let m = message(&e, &schema);
        assert!(m.len() < 200, "{m}");
        assert!(
            m.starts_with("line 5, column `score`: cannot read `xxx"),
            "{m}"
        );
        assert!(m.ends_with("as a number"), "{m}");
    }
}
