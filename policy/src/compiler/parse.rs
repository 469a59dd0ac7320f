//! Lexer and parser of the `.policy` language (grammar in policy/README.md).

use crate::Action;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
    pub hint: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Num(i64),
    Sym(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    span: Span,
}

fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    while i < chars.len() {
        let c = chars[i];
        let span = Span { line, col };
        if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            col += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            col += (i - start) as u32;
            out.push(Token {
                tok: Tok::Ident(word),
                span,
            });
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            col += (i - start) as u32;
            let parsed =
                if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                    i64::from_str_radix(hex, 16)
                } else {
                    text.parse::<i64>()
                };
            let value = parsed.map_err(|_| ParseError {
                span,
                message: format!("invalid number `{text}`"),
                hint: "numbers are decimal or 0x-prefixed hexadecimal, `_` allowed".into(),
            })?;
            out.push(Token {
                tok: Tok::Num(value),
                span,
            });
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        let sym = [
            "..=", "..", ".", ",", ";", "(", ")", "[", "]", "=", "*", "-", ":",
        ]
        .into_iter()
        .find(|s| rest.starts_with(s));
        match sym {
            Some(s) => {
                i += s.len();
                col += s.len() as u32;
                out.push(Token {
                    tok: Tok::Sym(s),
                    span,
                });
            }
            None => {
                return Err(ParseError {
                    span,
                    message: format!("unexpected character `{c}`"),
                    hint: "see policy/README.md for the syntax".into(),
                })
            }
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span { line, col },
    });
    Ok(out)
}

/// `Machine = state` or `Machine in [s1, s2]`.
#[derive(Clone, Debug)]
pub struct StateCond {
    pub machine: Ident,
    pub states: Vec<Ident>,
}

#[derive(Clone, Debug)]
pub struct Machine {
    pub name: Ident,
    /// The first is the initial state.
    pub states: Vec<Ident>,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub partition: Ident,
    pub when: Vec<StateCond>,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub name: Ident,
    pub members: Vec<Member>,
}

#[derive(Clone, Debug)]
pub struct Grant {
    pub partition: Ident,
    pub interfaces: Vec<Ident>,
}

#[derive(Clone, Debug)]
pub enum Subject {
    Partition(Ident),
    Role(Ident),
}

#[derive(Clone, Debug)]
pub enum OpRef {
    Name(Ident),
    All(Span),
    CanId(u32, Span),
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    Num(i64),
    Name(String),
}

#[derive(Clone, Debug)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ArgKind {
    Eq(Value),
    Range(Value, Value),
    Set(Vec<Value>),
}

#[derive(Clone, Debug)]
pub struct ArgCond {
    pub field: Ident,
    pub kind: ArgKind,
}

#[derive(Clone, Debug)]
pub enum WithinTarget {
    State(Ident, Ident),
    Op(Ident, Ident),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub span: Span,
    pub deny: bool,
    pub subject: Subject,
    pub action: Action,
    pub action_span: Span,
    pub interface: Ident,
    pub op: OpRef,
    pub args: Vec<ArgCond>,
    pub when: Vec<StateCond>,
    pub handle: Option<Span>,
    pub rate: Option<(u32, u32, Span)>,
    pub min_interval: Option<(u32, Span)>,
    pub within: Option<(u32, WithinTarget, Span)>,
    pub after: Option<(Ident, Ident, Span)>,
    pub then: Option<(Ident, Ident, Span)>,
}

#[derive(Clone, Debug)]
pub enum Item {
    Machine(Machine),
    Role(Role),
    Grant(Grant),
    Rule(Box<Rule>),
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

type PResult<T> = Result<T, ParseError>;

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn err<T>(&self, expected: &str) -> PResult<T> {
        let t = self.peek();
        let found = match &t.tok {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Num(n) => format!("`{n}`"),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::Eof => "end of file".into(),
        };
        Err(ParseError {
            span: t.span,
            message: format!("expected {expected}, found {found}"),
            hint: "see policy/README.md for the syntax".into(),
        })
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Sym(x) if *x == s)
    }

    fn is_kw(&self, k: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(x) if x == k)
    }

    fn sym(&mut self, s: &str) -> PResult<Span> {
        if self.is_sym(s) {
            Ok(self.next().span)
        } else {
            self.err(&format!("`{s}`"))
        }
    }

    fn kw(&mut self, k: &str) -> PResult<Span> {
        if self.is_kw(k) {
            Ok(self.next().span)
        } else {
            self.err(&format!("`{k}`"))
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        match &self.peek().tok {
            Tok::Ident(s) => {
                let name = s.clone();
                let span = self.next().span;
                Ok(Ident { name, span })
            }
            _ => self.err(what),
        }
    }

    fn number(&mut self, what: &str) -> PResult<(i64, Span)> {
        let negative = self.is_sym("-");
        let start = self.peek().span;
        if negative {
            self.next();
        }
        match self.peek().tok {
            Tok::Num(n) => {
                self.next();
                Ok((if negative { -n } else { n }, start))
            }
            _ => self.err(what),
        }
    }

    fn ticks(&mut self, what: &str) -> PResult<u32> {
        let (n, span) = self.number(what)?;
        u32::try_from(n).map_err(|_| ParseError {
            span,
            message: format!("{what} `{n}` is out of range"),
            hint: "tick counts are 0..=4294967295".into(),
        })
    }

    fn value(&mut self) -> PResult<Value> {
        let span = self.peek().span;
        match self.peek().tok.clone() {
            Tok::Ident(s) => {
                self.next();
                Ok(Value {
                    kind: ValueKind::Name(s),
                    span,
                })
            }
            Tok::Num(_) | Tok::Sym("-") => {
                let (n, span) = self.number("a value")?;
                Ok(Value {
                    kind: ValueKind::Num(n),
                    span,
                })
            }
            _ => self.err("a value (number, enum value, `true` or `false`)"),
        }
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> PResult<T>) -> PResult<Vec<T>> {
        self.sym("[")?;
        let mut out = vec![item(self)?];
        while self.is_sym(",") {
            self.next();
            out.push(item(self)?);
        }
        self.sym("]")?;
        Ok(out)
    }

    fn state_cond(&mut self) -> PResult<StateCond> {
        let machine = self.ident("a state machine name")?;
        let states = if self.is_kw("in") {
            self.next();
            self.list(|p| p.ident("a state name"))?
        } else {
            self.sym("=")?;
            vec![self.ident("a state name")?]
        };
        Ok(StateCond { machine, states })
    }

    fn conds(&mut self) -> PResult<Vec<StateCond>> {
        let mut out = vec![self.state_cond()?];
        while self.is_kw("and") {
            self.next();
            out.push(self.state_cond()?);
        }
        Ok(out)
    }

    fn item(&mut self) -> PResult<Item> {
        let t = self.peek().clone();
        let Tok::Ident(word) = &t.tok else {
            return self.err("`allow`, `deny`, `machine`, `role` or `grant`");
        };
        match word.as_str() {
            "machine" => {
                self.next();
                let name = self.ident("a state machine name")?;
                self.sym("=")?;
                let mut states = vec![self.ident("a state name")?];
                while self.is_sym(",") {
                    self.next();
                    states.push(self.ident("a state name")?);
                }
                self.sym(";")?;
                Ok(Item::Machine(Machine { name, states }))
            }
            "role" => {
                self.next();
                let name = self.ident("a role name")?;
                self.sym("=")?;
                let mut members = Vec::new();
                loop {
                    let partition = self.ident("a partition name")?;
                    let when = if self.is_kw("when") {
                        self.next();
                        self.conds()?
                    } else {
                        Vec::new()
                    };
                    members.push(Member { partition, when });
                    if self.is_sym(",") {
                        self.next();
                    } else {
                        break;
                    }
                }
                self.sym(";")?;
                Ok(Item::Role(Role { name, members }))
            }
            "grant" => {
                self.next();
                let partition = self.ident("a partition name")?;
                self.sym(":")?;
                let mut interfaces = vec![self.ident("an interface name")?];
                while self.is_sym(",") {
                    self.next();
                    interfaces.push(self.ident("an interface name")?);
                }
                self.sym(";")?;
                Ok(Item::Grant(Grant {
                    partition,
                    interfaces,
                }))
            }
            "allow" | "deny" => self.rule().map(|r| Item::Rule(Box::new(r))),
            _ => self.err("`allow`, `deny`, `machine`, `role` or `grant`"),
        }
    }

    fn rule(&mut self) -> PResult<Rule> {
        let first = self.next();
        let deny = first.tok == Tok::Ident("deny".into());
        let subject = if self.is_kw("role") {
            self.next();
            Subject::Role(self.ident("a role name")?)
        } else {
            Subject::Partition(self.ident("a partition or `role NAME`")?)
        };
        let action_span = self.peek().span;
        let action = match &self.peek().tok {
            Tok::Ident(a) if a == "call" => Action::Call,
            Tok::Ident(a) if a == "send" => Action::Send,
            Tok::Ident(a) if a == "receive" => Action::Receive,
            Tok::Ident(a) if a == "transmit" => Action::Transmit,
            _ => return self.err("`call`, `send`, `receive` or `transmit`"),
        };
        self.next();
        let interface = self.ident("an interface or CAN bus name")?;
        self.sym(".")?;
        let op = match self.peek().tok.clone() {
            Tok::Sym("*") => OpRef::All(self.next().span),
            Tok::Num(n) => {
                let span = self.next().span;
                let id = u32::try_from(n).map_err(|_| ParseError {
                    span,
                    message: format!("CAN identifier `{n}` is out of range"),
                    hint: "identifiers are 0..=0x1FFFFFFF".into(),
                })?;
                OpRef::CanId(id, span)
            }
            _ => OpRef::Name(self.ident("an operation name, a CAN identifier or `*`")?),
        };
        let mut args = Vec::new();
        if self.is_sym("(") {
            self.next();
            loop {
                let field = self.ident("an argument field name")?;
                let kind = if self.is_kw("in") {
                    self.next();
                    if self.is_sym("[") {
                        ArgKind::Set(self.list(|p| p.value())?)
                    } else {
                        let lo = self.value()?;
                        self.sym("..=")?;
                        let hi = self.value()?;
                        ArgKind::Range(lo, hi)
                    }
                } else {
                    self.sym("=")?;
                    ArgKind::Eq(self.value()?)
                };
                args.push(ArgCond { field, kind });
                if self.is_sym(",") {
                    self.next();
                } else {
                    break;
                }
            }
            self.sym(")")?;
        }
        let mut rule = Rule {
            span: first.span,
            deny,
            subject,
            action,
            action_span,
            interface,
            op,
            args,
            when: Vec::new(),
            handle: None,
            rate: None,
            min_interval: None,
            within: None,
            after: None,
            then: None,
        };
        loop {
            let span = self.peek().span;
            let dup = |what: &str| ParseError {
                span,
                message: format!("`{what}` given twice in one rule"),
                hint: "write each clause once".into(),
            };
            match &self.peek().tok {
                Tok::Sym(";") => {
                    self.next();
                    return Ok(rule);
                }
                Tok::Ident(k) if k == "when" => {
                    self.next();
                    let c = self.conds()?;
                    rule.when.extend(c);
                }
                Tok::Ident(k) if k == "with" => {
                    self.next();
                    self.kw("handle")?;
                    if rule.handle.is_some() {
                        return Err(dup("with handle"));
                    }
                    rule.handle = Some(span);
                }
                Tok::Ident(k) if k == "rate" => {
                    self.next();
                    let n = self.ticks("a request count")?;
                    self.kw("per")?;
                    let w = self.ticks("a window in ticks")?;
                    if rule.rate.is_some() {
                        return Err(dup("rate"));
                    }
                    rule.rate = Some((n, w, span));
                }
                Tok::Ident(k) if k == "min_interval" => {
                    self.next();
                    let t = self.ticks("an interval in ticks")?;
                    if rule.min_interval.is_some() {
                        return Err(dup("min_interval"));
                    }
                    rule.min_interval = Some((t, span));
                }
                Tok::Ident(k) if k == "within" => {
                    self.next();
                    let t = self.ticks("a window in ticks")?;
                    self.kw("after")?;
                    let a = self.ident("a state machine or interface name")?;
                    let target = if self.is_sym("=") {
                        self.next();
                        WithinTarget::State(a, self.ident("a state name")?)
                    } else {
                        self.sym(".")?;
                        WithinTarget::Op(a, self.ident("an operation name")?)
                    };
                    if rule.within.is_some() {
                        return Err(dup("within"));
                    }
                    rule.within = Some((t, target, span));
                }
                Tok::Ident(k) if k == "after" => {
                    self.next();
                    let i = self.ident("an interface name")?;
                    self.sym(".")?;
                    let o = self.ident("an operation name")?;
                    if rule.after.is_some() {
                        return Err(dup("after"));
                    }
                    rule.after = Some((i, o, span));
                }
                Tok::Ident(k) if k == "then" => {
                    self.next();
                    let m = self.ident("a state machine name")?;
                    self.sym("=")?;
                    let s = self.ident("a state name")?;
                    if rule.then.is_some() {
                        return Err(dup("then"));
                    }
                    rule.then = Some((m, s, span));
                }
                _ => {
                    return self.err(
                        "`;` or a clause (`when`, `with handle`, `rate`, `min_interval`, `within`, `after`, `then`)",
                    )
                }
            }
        }
    }
}

/// Parses a whole file; on errors, resynchronises at the next `;` and reports them all.
pub fn parse(src: &str) -> Result<Vec<Item>, Vec<ParseError>> {
    let toks = lex(src).map_err(|e| vec![e])?;
    let mut p = Parser { toks, pos: 0 };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    while p.peek().tok != Tok::Eof {
        match p.item() {
            Ok(item) => items.push(item),
            Err(e) => {
                errors.push(e);
                while !matches!(p.peek().tok, Tok::Eof | Tok::Sym(";")) {
                    p.next();
                }
                p.next();
            }
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}
