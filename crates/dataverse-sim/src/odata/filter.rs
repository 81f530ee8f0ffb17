//! `$filter`: the subset clients use (§9.2): `eq ne gt ge lt le`, `and or not`, parentheses,
//! `contains`/`startswith`/`endswith`, `_x_value eq <guid>`, single-valued navigation paths
//! (`emailserverprofile/name eq '…'`) and `Microsoft.Dynamics.CRM.In`/`NotIn`. Strings compare
//! without case; quotes in literals are doubled; errors name the position, as OData does.

use std::cmp::Ordering;

use crate::error::ApiError;
use crate::ids::Guid;
use crate::odata::orderby::cmp_values;
use crate::schema::{self, Col, Kind, TableDef};
use crate::store::{Org, Row, V};
use crate::time;

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Dec(f64),
    Str(String),
    Guid(Guid),
    Time(i64),
}

/// Something compared.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Col(&'static Col),
    /// `lookup/column` through a single-valued navigation property.
    Nav(&'static Col, &'static TableDef, &'static Col),
    Lit(Lit),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// String functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrFn {
    Contains,
    StartsWith,
    EndsWith,
}

/// A parsed filter.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, Op, Operand),
    Str(StrFn, Operand, String),
    In(Operand, Vec<V>, bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Lit(Lit),
    Open,
    Close,
    Comma,
    LBracket,
    RBracket,
    Equals,
}

struct Lexer<'a> {
    src: &'a str,
    chars: Vec<char>,
    pos: usize,
}

fn syntax(src: &str, pos: usize) -> ApiError {
    ApiError::bad_query(format!("Syntax error at position {pos} in '{src}'."))
}

impl<'a> Lexer<'a> {
    fn tokens(src: &'a str) -> Result<Vec<(usize, Tok)>, ApiError> {
        let mut lx = Lexer { src, chars: src.chars().collect(), pos: 0 };
        let mut out = Vec::new();
        while let Some(t) = lx.next()? {
            out.push(t);
        }
        Ok(out)
    }

    fn rest(&self) -> String {
        self.chars[self.pos..].iter().collect()
    }

    fn next(&mut self) -> Result<Option<(usize, Tok)>, ApiError> {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
        let Some(&c) = self.chars.get(self.pos) else {
            return Ok(None);
        };
        let start = self.pos;
        let simple = match c {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            ',' => Some(Tok::Comma),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '=' => Some(Tok::Equals),
            _ => None,
        };
        if let Some(t) = simple {
            self.pos += 1;
            return Ok(Some((start, t)));
        }
        if c == '\'' {
            let mut s = String::new();
            self.pos += 1;
            loop {
                match self.chars.get(self.pos) {
                    None => {
                        return Err(ApiError::bad_query(format!(
                            "There is an unterminated literal at position {start} in '{}'.",
                            self.src
                        )));
                    }
                    Some('\'') if self.chars.get(self.pos + 1) == Some(&'\'') => {
                        s.push('\'');
                        self.pos += 2;
                    }
                    Some('\'') => {
                        self.pos += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        self.pos += 1;
                    }
                }
            }
            return Ok(Some((start, Tok::Lit(Lit::Str(s)))));
        }
        // A GUID literal (unquoted), possibly starting with a letter.
        let rest = self.rest();
        // `get` rather than indexing: a multi-byte character may sit across byte 36.
        if let Some(g) = rest.get(..36).and_then(Guid::parse) {
            let after = rest.get(36..).and_then(|r| r.chars().next());
            if after.is_none_or(|a| !a.is_ascii_alphanumeric()) {
                self.pos += 36;
                return Ok(Some((start, Tok::Lit(Lit::Guid(g)))));
            }
        }
        if c.is_ascii_digit()
            || (c == '-' && self.chars.get(self.pos + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            // Date/time literal?
            let word: String = rest
                .chars()
                .take_while(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | ':' | '.' | '+'))
                .collect();
            if word.len() >= 10
                && word.as_bytes().get(4) == Some(&b'-')
                && let Some(t) = time::parse_iso(&word)
            {
                self.pos += word.chars().count();
                return Ok(Some((start, Tok::Lit(Lit::Time(t)))));
            }
            let num: String = rest
                .chars()
                .enumerate()
                .take_while(|(i, ch)| ch.is_ascii_digit() || *ch == '.' || (*i == 0 && *ch == '-'))
                .map(|(_, ch)| ch)
                .collect();
            self.pos += num.chars().count();
            let lit = if num.contains('.') {
                Lit::Dec(num.parse().map_err(|_| syntax(self.src, start))?)
            } else {
                Lit::Int(num.parse().map_err(|_| syntax(self.src, start))?)
            };
            return Ok(Some((start, Tok::Lit(lit))));
        }
        if c.is_alphabetic() || c == '_' || c == '$' || c == '@' {
            let word: String = rest
                .chars()
                .take_while(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | '/' | '$' | '@'))
                .collect();
            self.pos += word.chars().count();
            let tok = match word.as_str() {
                "true" => Tok::Lit(Lit::Bool(true)),
                "false" => Tok::Lit(Lit::Bool(false)),
                "null" => Tok::Lit(Lit::Null),
                _ => Tok::Word(word),
            };
            return Ok(Some((start, tok)));
        }
        Err(syntax(self.src, start))
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(usize, Tok)>,
    i: usize,
    def: &'static TableDef,
}

fn edm(kind: Option<Kind>, lit: Option<&Lit>) -> &'static str {
    match (kind, lit) {
        (Some(Kind::Str | Kind::Memo | Kind::EntityName), _) => "Edm.String",
        (Some(Kind::Int | Kind::Choice(_)), _) => "Edm.Int32",
        (Some(Kind::Bool), _) => "Edm.Boolean",
        (Some(Kind::Time), _) => "Edm.DateTimeOffset",
        (Some(Kind::Pk | Kind::Lookup(_) | Kind::Uniqueidentifier), _) => "Edm.Guid",
        (None, Some(Lit::Str(_))) => "Edm.String",
        (None, Some(Lit::Int(_))) => "Edm.Int32",
        (None, Some(Lit::Dec(_))) => "Edm.Decimal",
        (None, Some(Lit::Bool(_))) => "Edm.Boolean",
        (None, Some(Lit::Guid(_))) => "Edm.Guid",
        (None, Some(Lit::Time(_))) => "Edm.DateTimeOffset",
        _ => "null",
    }
}

fn compatible(kind: Kind, lit: &Lit) -> bool {
    matches!(
        (kind, lit),
        (_, Lit::Null)
            | (Kind::Str | Kind::Memo | Kind::EntityName, Lit::Str(_))
            | (Kind::Int | Kind::Choice(_), Lit::Int(_) | Lit::Dec(_))
            | (Kind::Bool, Lit::Bool(_))
            | (Kind::Time, Lit::Time(_))
            | (Kind::Pk | Kind::Lookup(_) | Kind::Uniqueidentifier, Lit::Guid(_))
    )
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "Equal",
        Op::Ne => "NotEqual",
        Op::Gt => "GreaterThan",
        Op::Ge => "GreaterThanOrEqual",
        Op::Lt => "LessThan",
        Op::Le => "LessThanOrEqual",
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(_, t)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.src.chars().count(), |(p, _)| *p)
    }

    fn word_is(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ApiError> {
        if self.peek() == Some(&t) {
            self.i += 1;
            Ok(())
        } else {
            Err(ApiError::bad_query(format!("{what} expected at position {} in '{}'.", self.pos(), self.src)))
        }
    }

    fn or(&mut self) -> Result<Expr, ApiError> {
        let mut left = self.and()?;
        while self.word_is("or") {
            self.i += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ApiError> {
        let mut left = self.unary()?;
        while self.word_is("and") {
            self.i += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ApiError> {
        if self.word_is("not") {
            self.i += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn property(&self, name: &str) -> Result<Operand, ApiError> {
        if let Some((nav, rest)) = name.split_once('/') {
            let (col, target) =
                self.def.nav(nav).ok_or_else(|| ApiError::unknown_property(nav, &self.def.type_name()))?;
            let tdef = schema::by_logical(target)
                .ok_or_else(|| ApiError::unknown_property(nav, &self.def.type_name()))?;
            let tcol =
                tdef.wire_col(rest).ok_or_else(|| ApiError::unknown_property(rest, &tdef.type_name()))?;
            return Ok(Operand::Nav(col, tdef, tcol));
        }
        let col =
            self.def.wire_col(name).ok_or_else(|| ApiError::unknown_property(name, &self.def.type_name()))?;
        Ok(Operand::Col(col))
    }

    fn operand(&mut self) -> Result<Operand, ApiError> {
        let pos = self.pos();
        match self.toks.get(self.i).map(|(_, t)| t.clone()) {
            Some(Tok::Lit(l)) => {
                self.i += 1;
                Ok(Operand::Lit(l))
            }
            Some(Tok::Word(w)) => {
                self.i += 1;
                self.property(&w)
            }
            _ => Err(syntax(self.src, pos)),
        }
    }

    fn string_lit(&mut self) -> Result<String, ApiError> {
        match self.toks.get(self.i).map(|(_, t)| t.clone()) {
            Some(Tok::Lit(Lit::Str(s))) => {
                self.i += 1;
                Ok(s)
            }
            _ => Err(syntax(self.src, self.pos())),
        }
    }

    fn primary(&mut self) -> Result<Expr, ApiError> {
        if self.peek() == Some(&Tok::Open) {
            self.i += 1;
            let e = self.or()?;
            self.expect(Tok::Close, "')' or operator")?;
            return Ok(e);
        }
        if let Some(Tok::Word(w)) = self.peek().cloned()
            && self.toks.get(self.i + 1).map(|(_, t)| t) == Some(&Tok::Open)
        {
            return self.function(&w);
        }
        let left = self.operand()?;
        let op_pos = self.pos();
        let op = match self.peek() {
            Some(Tok::Word(w)) => match w.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                _ => return Err(syntax(self.src, op_pos)),
            },
            _ => return Err(syntax(self.src, op_pos)),
        };
        self.i += 1;
        let right = self.operand()?;
        self.check_types(&left, op, &right)?;
        Ok(Expr::Cmp(left, op, right))
    }

    fn check_types(&self, left: &Operand, op: Op, right: &Operand) -> Result<(), ApiError> {
        let kind = |o: &Operand| match o {
            Operand::Col(c) | Operand::Nav(_, _, c) => Some(c.kind),
            Operand::Lit(_) => None,
        };
        let lit = |o: &Operand| match o {
            Operand::Lit(l) => Some(l.clone()),
            _ => None,
        };
        let ok = match (kind(left), lit(left), kind(right), lit(right)) {
            (Some(k), _, None, Some(l)) | (None, Some(l), Some(k), _) => compatible(k, &l),
            (Some(a), _, Some(b), _) => edm(Some(a), None) == edm(Some(b), None),
            _ => true,
        };
        if ok {
            return Ok(());
        }
        Err(ApiError::bad_query(format!(
            "A binary operator with incompatible types was detected. Found operand types '{}' and '{}' for operator kind '{}'.",
            edm(kind(left), lit(left).as_ref()),
            edm(kind(right), lit(right).as_ref()),
            op_name(op)
        )))
    }

    fn function(&mut self, name: &str) -> Result<Expr, ApiError> {
        let fpos = self.pos();
        self.i += 2; // name and '('
        let strfn = match name {
            "contains" => Some(StrFn::Contains),
            "startswith" => Some(StrFn::StartsWith),
            "endswith" => Some(StrFn::EndsWith),
            _ => None,
        };
        if let Some(f) = strfn {
            let target = self.operand()?;
            if let Operand::Col(c) | Operand::Nav(_, _, c) = &target
                && !matches!(c.kind, Kind::Str | Kind::Memo)
            {
                return Err(ApiError::bad_query(format!(
                    "No function signature for the function with name '{name}' matches the specified arguments. The function signatures considered are: {name}(Edm.String Nullable=true, Edm.String)."
                )));
            }
            self.expect(Tok::Comma, "','")?;
            let s = self.string_lit()?;
            self.expect(Tok::Close, "')'")?;
            return Ok(Expr::Str(f, target, s));
        }
        let negate = match name {
            "Microsoft.Dynamics.CRM.In" => false,
            "Microsoft.Dynamics.CRM.NotIn" => true,
            _ if name.starts_with("Microsoft.Dynamics.CRM.") => {
                return Err(ApiError::bad_query(format!(
                    "The query function '{name}' is not supported by dataverse-sim (position {fpos} in '{}').",
                    self.src
                )));
            }
            _ => {
                return Err(ApiError::bad_query(format!(
                    "An unknown function with name '{name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."
                )));
            }
        };
        let mut prop = None;
        let mut values = None;
        loop {
            let param = match self.toks.get(self.i).map(|(_, t)| t.clone()) {
                Some(Tok::Word(w)) => w,
                _ => return Err(syntax(self.src, self.pos())),
            };
            self.i += 1;
            self.expect(Tok::Equals, "'='")?;
            match param.as_str() {
                "PropertyName" => prop = Some(self.string_lit()?),
                "PropertyValues" => {
                    self.expect(Tok::LBracket, "'['")?;
                    let mut vals = Vec::new();
                    while self.peek() != Some(&Tok::RBracket) {
                        vals.push(self.string_lit()?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.i += 1;
                        }
                    }
                    self.i += 1;
                    values = Some(vals);
                }
                _ => return Err(syntax(self.src, self.pos())),
            }
            match self.peek() {
                Some(Tok::Comma) => self.i += 1,
                Some(Tok::Close) => {
                    self.i += 1;
                    break;
                }
                _ => {
                    return Err(ApiError::bad_query(format!(
                        "')' or ',' expected at position {} in '{}'.",
                        self.pos(),
                        self.src
                    )));
                }
            }
        }
        let (Some(prop), Some(values)) = (prop, values) else {
            return Err(ApiError::bad_query(format!(
                "{name} requires the parameters PropertyName and PropertyValues."
            )));
        };
        let col = self
            .def
            .wire_col(&prop)
            .or_else(|| self.def.col(&prop))
            .ok_or_else(|| ApiError::unknown_property(&prop, &self.def.type_name()))?;
        let mut vs = Vec::new();
        for v in values {
            let parsed = match col.kind {
                Kind::Int | Kind::Choice(_) => v.trim().parse().ok().map(V::Int),
                Kind::Bool => match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => Some(V::Bool(true)),
                    "false" | "0" => Some(V::Bool(false)),
                    _ => None,
                },
                Kind::Pk | Kind::Uniqueidentifier | Kind::Lookup(_) => Guid::parse(&v).map(V::Guid),
                Kind::Time => time::parse_iso(&v).map(V::Time),
                _ => Some(V::Str(v.clone())),
            };
            vs.push(parsed.ok_or_else(|| {
                ApiError::bad_query(format!("The value '{v}' is not valid for the attribute '{prop}'."))
            })?);
        }
        Ok(Expr::In(Operand::Col(col), vs, negate))
    }
}

/// Parses a `$filter` for a table.
pub(crate) fn parse(src: &str, def: &'static TableDef) -> Result<Expr, ApiError> {
    let toks = Lexer::tokens(src)?;
    let mut p = Parser { src, toks, i: 0, def };
    let e = p.or()?;
    if p.i < p.toks.len() {
        return Err(syntax(src, p.pos()));
    }
    Ok(e)
}

fn lit_value(l: &Lit) -> V {
    match l {
        Lit::Null => V::Null,
        Lit::Bool(b) => V::Bool(*b),
        Lit::Int(i) => V::Int(*i),
        Lit::Dec(d) => V::Int(*d as i64),
        Lit::Str(s) => V::Str(s.clone()),
        Lit::Guid(g) => V::Guid(*g),
        Lit::Time(t) => V::Time(*t),
    }
}

fn resolve(o: &Operand, row: &Row, org: &Org) -> V {
    let norm = |v: &V| match v {
        V::Lookup(l) => V::Guid(l.id),
        other => other.clone(),
    };
    match o {
        Operand::Col(c) => norm(row.get(c.name)),
        Operand::Nav(lk, tdef, tcol) => row
            .lookup(lk.name)
            .filter(|l| l.table == tdef.logical)
            .and_then(|l| org.row(l.table, l.id))
            .map_or(V::Null, |r| norm(r.get(tcol.name))),
        Operand::Lit(l) => lit_value(l),
    }
}

fn equal(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Str(x), V::Str(y)) => x.to_lowercase() == y.to_lowercase(),
        (V::Null, V::Null) => true,
        (V::Null, _) | (_, V::Null) => false,
        _ => cmp_values(a, b) == Ordering::Equal && std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Evaluates a filter on a row.
pub(crate) fn eval(e: &Expr, row: &Row, org: &Org) -> Result<bool, ApiError> {
    Ok(match e {
        Expr::And(a, b) => eval(a, row, org)? && eval(b, row, org)?,
        Expr::Or(a, b) => eval(a, row, org)? || eval(b, row, org)?,
        Expr::Not(a) => !eval(a, row, org)?,
        Expr::Cmp(l, op, r) => {
            let (a, b) = (resolve(l, row, org), resolve(r, row, org));
            match op {
                Op::Eq => equal(&a, &b),
                Op::Ne => !equal(&a, &b),
                _ if matches!(a, V::Null) || matches!(b, V::Null) => false,
                Op::Gt => cmp_values(&a, &b) == Ordering::Greater,
                Op::Ge => cmp_values(&a, &b) != Ordering::Less,
                Op::Lt => cmp_values(&a, &b) == Ordering::Less,
                Op::Le => cmp_values(&a, &b) != Ordering::Greater,
            }
        }
        Expr::Str(f, target, needle) => {
            let V::Str(hay) = resolve(target, row, org) else {
                return Ok(false);
            };
            let (hay, needle) = (hay.to_lowercase(), needle.to_lowercase());
            match f {
                StrFn::Contains => hay.contains(&needle),
                StrFn::StartsWith => hay.starts_with(&needle),
                StrFn::EndsWith => hay.ends_with(&needle),
            }
        }
        Expr::In(target, values, negate) => {
            let v = resolve(target, row, org);
            values.iter().any(|x| equal(&v, x)) != *negate
        }
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn mailbox() -> &'static TableDef {
        schema::by_set("mailboxes").unwrap_or(&schema::TABLES[0])
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,60}") {
            let _ = parse(&s, mailbox());
        }

        #[test]
        fn parsing_filter_shaped_text_never_panics(
            s in "(not |\\(|\\)| and | or |name|_emailserverprofile_value| eq | gt |'[a-zé'' ]{0,6}'|[0-9]{1,3}|null|true|contains\\(name,'x'\\)|Microsoft\\.Dynamics\\.CRM\\.In\\(PropertyName='name',PropertyValues=\\['a'\\]\\)|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}){0,8}"
        ) {
            let _ = parse(&s, mailbox());
        }
    }
}
