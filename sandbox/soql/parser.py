"""Recursive-descent parser: text -> `nodes.Query`. Syntax only; names are resolved by the compiler.

Boolean grammar follows Salesforce, which is stricter than SQL:
  condition := NOT unit | unit (AND unit)* | unit (OR unit)*
  unit      := "(" condition ")" | field operator value
so `a AND b OR c` and `a AND NOT b` are "unexpected token" errors; write `a AND (NOT b)`.
"""

from __future__ import annotations

from .dates import (
    FIXED_LITERALS,
    PARAMETRIC_LITERALS,
    UNSUPPORTED_LITERALS,
    parse_date_literal,
    parse_datetime_literal,
)
from .errors import MalformedQuery, located
from .lexer import Token, tokenize
from .nodes import (
    Aggregate,
    And,
    ChildQuery,
    Comparison,
    Condition,
    FieldPath,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    SelectItem,
    SemiJoin,
)
from .strings import EscapeError, decode_string, like_regex

MAX_NESTING = 50  # parentheses; keeps recursion far from Python's limit on hostile input
_COMPARISON_OPS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_LIST_OPS = {"IN", "INCLUDES", "EXCLUDES"}
# Clauses Salesforce has but this engine does not implement: named so the error is explicit.
_UNSUPPORTED_CLAUSES = {"WITH", "FOR", "USING", "UPDATE", "TYPEOF"}
# Words that end a FROM clause or start another one; any other word after FROM would be an alias.
_CLAUSE_WORDS = {"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET"} | _UNSUPPORTED_CLAUSES
AGGREGATE_FUNCTIONS = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})


def parse(text: str) -> Query:
    """Parse SOQL text; raises MalformedQuery on anything outside the supported subset."""
    if not isinstance(text, str):
        raise MalformedQuery("query must be a string")
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.in_having = False

    # --- token helpers --------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "IDENT" and self.tok.text.upper() in words

    def error(self, detail: str, tok: Token | None = None) -> MalformedQuery:
        tok = tok or self.tok
        return MalformedQuery(located(self.text, tok.pos, detail))

    def unexpected(self, tok: Token | None = None) -> MalformedQuery:
        tok = tok or self.tok
        shown = "<EOF>" if tok.kind == "EOF" else ("'" + tok.text + "'" if tok.kind == "STRING" else tok.text)
        return self.error(f"unexpected token: {shown}", tok)

    def expect_word(self, word: str) -> Token:
        if not self.is_word(word):
            raise self.unexpected()
        return self.advance()

    def expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            raise self.unexpected()
        return self.advance()

    def unsupported(self, what: str, tok: Token | None = None) -> MalformedQuery:
        return self.error(f"{what} is not supported by the sandbox SOQL engine", tok)

    # --- statement ------------------------------------------------------------------------------

    def query(self, *, nested: bool = False) -> Query:
        """A whole statement, or with `nested` a sub-SELECT that ends at its closing parenthesis."""
        self.expect_word("SELECT")
        select = self.select_list()
        self.expect_word("FROM")
        obj = self.expect("IDENT")
        if self.tok.kind == "COMMA":
            raise self.unsupported("Selecting from several objects")
        if self.tok.kind == "IDENT" and self.tok.text.upper() not in _CLAUSE_WORDS:
            raise self.unsupported("An object alias")
        where = None
        if self.is_word("WHERE"):
            self.advance()
            where = self.condition()
        self.reject_unsupported_clause()
        group_by: tuple[FieldPath, ...] = ()
        having = None
        if self.is_word("GROUP"):
            self.advance()
            self.expect_word("BY")
            group_by = self.group_list()
            if self.is_word("HAVING"):
                self.advance()
                self.in_having = True
                having = self.condition()
                self.in_having = False
        self.reject_unsupported_clause()
        order_by: tuple[OrderItem, ...] = ()
        if self.is_word("ORDER"):
            self.advance()
            self.expect_word("BY")
            order_by = self.order_list()
        self.reject_unsupported_clause()
        limit = offset = None
        offset_pos = 0
        if self.is_word("LIMIT"):
            self.advance()
            limit = self.non_negative_int("LIMIT")
        if self.is_word("OFFSET"):
            offset_pos = self.advance().pos
            offset = self.non_negative_int("OFFSET")
        self.reject_unsupported_clause()
        if self.tok.kind != ("RPAREN" if nested else "EOF"):
            raise self.unexpected()
        if not group_by and not any(isinstance(item, Aggregate) for item in select):
            aliased = next((item for item in select if isinstance(item, FieldPath) and item.alias), None)
            if aliased is not None:
                raise self.error(
                    "Only aggregate expressions use field aliasing", Token("IDENT", aliased.alias, aliased.alias_pos)
                )
        return Query(self.text, select, obj.text, obj.pos, where, order_by, limit, offset, offset_pos, group_by, having)

    def group_list(self) -> tuple[FieldPath, ...]:
        items = [self.group_item()]
        while self.tok.kind == "COMMA":
            self.advance()
            items.append(self.group_item())
        return tuple(items)

    def group_item(self) -> FieldPath:
        if self.tok.kind == "IDENT" and self.peek().kind == "LPAREN":
            raise self.unsupported(f"{self.tok.text.upper()}() in GROUP BY")
        return self.field_path()

    def reject_unsupported_clause(self) -> None:
        if self.is_word(*_UNSUPPORTED_CLAUSES):
            raise self.unsupported(f"{self.tok.text.upper()} clause")

    def non_negative_int(self, clause: str) -> int:
        tok = self.tok
        if tok.kind == "COLON":
            raise self.unsupported("A bind variable")
        if tok.kind != "NUMBER":
            raise self.unexpected()
        if not tok.text.isdigit():
            raise self.error(f"{clause} must be a non-negative integer, found: {tok.text}")
        self.advance()
        return int(tok.text)

    # --- SELECT ---------------------------------------------------------------------------------

    def select_list(self) -> tuple[SelectItem, ...]:
        items = [self.select_item()]
        while self.tok.kind == "COMMA":
            self.advance()
            items.append(self.select_item())
        return tuple(items)

    def select_item(self) -> SelectItem:
        tok = self.tok
        if tok.kind == "LPAREN":
            if not (self.peek().kind == "IDENT" and self.peek().text.upper() == "SELECT"):
                raise self.unexpected(self.peek())
            self.advance()
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.error("Query is nested too deeply")
            inner = self.query(nested=True)
            self.expect("RPAREN")
            self.depth -= 1
            return ChildQuery(inner, tok.pos)
        if tok.kind != "IDENT":
            raise self.unexpected()
        if self.peek().kind == "LPAREN":
            name = tok.text.upper()
            if name in AGGREGATE_FUNCTIONS:
                return self.aggregate_item()
            if name == "FIELDS":
                raise self.unsupported("FIELDS()")
            raise self.unsupported(f"The function {tok.text}()")
        if tok.text.upper() == "TYPEOF":
            raise self.unsupported("TYPEOF")
        if tok.text.upper() == "FROM" and self.peek().kind != "DOT":
            raise self.unexpected()  # "SELECT FROM x": empty field list
        path = self.field_path()
        if self.tok.kind == "IDENT" and self.tok.text.upper() != "FROM":
            # An alias; legal only in aggregate queries, which `query` checks once it has seen them all.
            alias = self.advance()
            return FieldPath(path.parts, path.pos, alias.text, alias.pos)
        return path

    def aggregate_item(self, *, alias: bool = True) -> Aggregate:
        """COUNT(), COUNT(f), COUNT_DISTINCT(f), SUM(f), AVG(f), MIN(f), MAX(f), each with an optional alias
        (COUNT() takes none)."""
        start = self.advance()
        func = start.text.upper()
        self.expect("LPAREN")
        field = None
        if self.tok.kind != "RPAREN" or func != "COUNT":
            field = self.field_path()
        self.expect("RPAREN")
        name = None
        if alias and self.tok.kind == "IDENT" and self.tok.text.upper() != "FROM":
            if field is None:
                raise self.unexpected()
            name = self.advance().text
        return Aggregate(field, name, start.pos, func)

    def field_path(self) -> FieldPath:
        first = self.expect("IDENT")
        parts = [first.text]
        while self.tok.kind == "DOT":
            self.advance()
            parts.append(self.expect("IDENT").text)
        return FieldPath(tuple(parts), first.pos)

    # --- WHERE ----------------------------------------------------------------------------------

    def condition(self) -> Condition:
        if self.is_word("NOT"):
            not_tok = self.advance()
            operand = self.unit()
            if self.is_word("AND", "OR"):
                # Salesforce: NOT must stand alone in its group; "NOT a AND b" -> unexpected token.
                raise self.unexpected()
            return Not(operand, not_tok.pos)
        first = self.unit()
        if not self.is_word("AND", "OR"):
            return first
        joiner = self.tok.text.upper()
        operands = [first]
        while self.is_word("AND", "OR"):
            if self.tok.text.upper() != joiner:
                raise self.unexpected()  # mixing AND and OR needs parentheses
            self.advance()
            if self.is_word("NOT"):
                raise self.unexpected()  # "a AND NOT b" is rejected by Salesforce too
            operands.append(self.unit())
        return And(tuple(operands)) if joiner == "AND" else Or(tuple(operands))

    def unit(self) -> Condition:
        if self.tok.kind == "LPAREN":
            if self.peek().kind == "IDENT" and self.peek().text.upper() == "SELECT":
                raise self.unsupported("A subquery")
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.error("Query is nested too deeply")
            self.advance()
            inner = self.condition()
            self.expect("RPAREN")
            self.depth -= 1
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        field: FieldPath | Aggregate
        if self.tok.kind == "IDENT" and self.peek().kind == "LPAREN":
            if not (self.in_having and self.tok.text.upper() in AGGREGATE_FUNCTIONS):
                clause = "HAVING" if self.in_having else "WHERE"
                raise self.unsupported(f"The function {self.tok.text}() in {clause}")
            field = self.aggregate_item(alias=False)
        else:
            field = self.field_path()
        op_tok = self.tok
        if op_tok.kind == "OP":
            self.advance()
            op = _COMPARISON_OPS[op_tok.text]
            return Comparison(field, op, self.value(like=False), op_tok.pos)
        if self.is_word("LIKE"):
            self.advance()
            return Comparison(field, "LIKE", self.value(like=True), op_tok.pos)
        if self.is_word("NOT") and self.peek().kind == "IDENT" and self.peek().text.upper() == "IN":
            self.advance()
            self.advance()
            return Comparison(field, "NOT IN", self.value_list(), op_tok.pos)
        if self.is_word(*_LIST_OPS):
            op = self.advance().text.upper()
            return Comparison(field, op, self.value_list(), op_tok.pos)
        raise self.unexpected()

    def semi_join(self) -> SemiJoin:
        pos = self.tok.pos
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error("Query is nested too deeply")
        inner = self.query(nested=True)
        self.expect("RPAREN")
        self.depth -= 1
        return SemiJoin(inner, pos)

    def value_list(self) -> tuple[Literal, ...] | SemiJoin:
        if self.tok.kind == "COLON":
            raise self.unsupported("A bind variable")
        self.expect("LPAREN")
        if self.is_word("SELECT"):
            return self.semi_join()
        values = [self.value(like=False)]
        while self.tok.kind == "COMMA":
            self.advance()
            values.append(self.value(like=False))
        self.expect("RPAREN")
        return tuple(values)

    def value(self, *, like: bool) -> Literal:
        tok = self.tok
        kind = tok.kind
        if kind == "STRING":
            self.advance()
            try:
                decoded: object = like_regex(tok.text) if like else decode_string(tok.text)
            except EscapeError as exc:
                raise self.error(exc.detail, Token(kind, tok.text, tok.pos + 1 + exc.offset)) from None
            return Literal("like" if like else "string", decoded, tok.pos)
        if kind == "NUMBER":
            self.advance()
            number = float(tok.text) if "." in tok.text else int(tok.text)
            return Literal("number", number, tok.pos)
        if kind in ("DATE", "DATETIME"):
            self.advance()
            try:
                if kind == "DATE":
                    return Literal("date", parse_date_literal(tok.text), tok.pos)
                return Literal("datetime", parse_datetime_literal(tok.text), tok.pos)
            except (ValueError, OverflowError):
                raise self.error(f"Invalid {'date' if kind == 'DATE' else 'dateTime'}: {tok.text}", tok) from None
        if kind == "COLON":
            raise self.unsupported("A bind variable")
        if kind == "IDENT":
            return self.word_value()
        raise self.unexpected()

    def word_value(self) -> Literal:
        tok = self.advance()
        word = tok.text.upper()
        if word in ("TRUE", "FALSE"):
            return Literal("boolean", word == "TRUE", tok.pos)
        if word == "NULL":
            return Literal("null", None, tok.pos)
        if word in FIXED_LITERALS:
            return Literal("date_literal", (word, None), tok.pos)
        if word in PARAMETRIC_LITERALS:
            if self.tok.kind != "COLON":
                raise self.error(f"Date literal {word} requires a number, e.g. {word}:7", tok)
            self.advance()
            n_tok = self.tok
            if n_tok.kind != "NUMBER" or not n_tok.text.isdigit():
                raise self.unexpected()
            self.advance()
            return Literal("date_literal", (word, int(n_tok.text)), tok.pos)
        if word in UNSUPPORTED_LITERALS:
            raise self.unsupported(f"The fiscal date literal {word}", tok)
        raise self.unexpected(tok)

    # --- ORDER BY -------------------------------------------------------------------------------

    def order_list(self) -> tuple[OrderItem, ...]:
        items = [self.order_item()]
        while self.tok.kind == "COMMA":
            self.advance()
            items.append(self.order_item())
        return tuple(items)

    def order_item(self) -> OrderItem:
        field: FieldPath | Aggregate
        if self.tok.kind == "IDENT" and self.peek().kind == "LPAREN":
            if self.tok.text.upper() not in AGGREGATE_FUNCTIONS:
                raise self.unsupported(f"The function {self.tok.text}() in ORDER BY")
            field = self.aggregate_item(alias=False)  # legal in aggregate queries; the compiler checks
        else:
            field = self.field_path()
        descending = False
        if self.is_word("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        nulls_first = None
        if self.is_word("NULLS"):
            self.advance()
            if not self.is_word("FIRST", "LAST"):
                raise self.unexpected()
            nulls_first = self.advance().text.upper() == "FIRST"
        return OrderItem(field, descending, nulls_first, field.pos)
