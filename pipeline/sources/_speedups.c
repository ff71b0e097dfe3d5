/* C helpers for the compiled `leadgate normalize` path (pipeline/sources/speedups.py).
 *
 * Each function does, for a whole chunk, what a few lines of Python do in the module that
 * calls it: the chunk's transposition into columns, the line assembly, memo lookups, and
 * the common shapes of the columns whose values rarely repeat (phones, emails, amounts,
 * dates, street lines, URLs, identifiers). Every cell these functions do not settle goes
 * to a Python callable the caller passes (the field's own producer), so no rule is
 * defined here; the property tests in tests/unit/sources/test_source_speedups.py prove
 * each function equal to the Python it stands for.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* transpose(rows, width) -> list of `width` lists: column i holds rows[r][i]. */
static PyObject *
transpose(PyObject *module, PyObject *args)
{
    PyObject *rows;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "O!n:transpose", &PyList_Type, &rows, &width))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(rows);
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *row = PyList_GET_ITEM(rows, r);
        if (!PyList_Check(row) || PyList_GET_SIZE(row) != width) {
            PyErr_SetString(PyExc_ValueError, "transpose: every row must be a list of width cells");
            return NULL;
        }
    }
    PyObject *columns = PyList_New(width);
    if (columns == NULL)
        return NULL;
    for (Py_ssize_t c = 0; c < width; c++) {
        PyObject *column = PyList_New(count);
        if (column == NULL) {
            Py_DECREF(columns);
            return NULL;
        }
        for (Py_ssize_t r = 0; r < count; r++) {
            PyObject *cell = PyList_GET_ITEM(PyList_GET_ITEM(rows, r), c);
            Py_INCREF(cell);
            PyList_SET_ITEM(column, r, cell);
        }
        PyList_SET_ITEM(columns, c, column);
    }
    return columns;
}

/* Join `n` strings into one new exact str. */
static PyObject *
concat(PyObject **parts, Py_ssize_t n)
{
    Py_ssize_t length = 0;
    Py_UCS4 maxchar = 127;
    int ascii = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        length += PyUnicode_GET_LENGTH(parts[i]);
        if (!PyUnicode_IS_ASCII(parts[i])) {
            ascii = 0;
            Py_UCS4 top = PyUnicode_MAX_CHAR_VALUE(parts[i]);
            if (top > maxchar)
                maxchar = top;
        }
    }
    PyObject *text = PyUnicode_New(length, maxchar);
    if (text == NULL)
        return NULL;
    if (ascii) {
        char *out = (char *)PyUnicode_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t size = PyUnicode_GET_LENGTH(parts[i]);
            memcpy(out, PyUnicode_DATA(parts[i]), size);
            out += size;
        }
        return text;
    }
    int kind = PyUnicode_KIND(text);
    void *out = PyUnicode_DATA(text);
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t size = PyUnicode_GET_LENGTH(parts[i]);
        int part_kind = PyUnicode_KIND(parts[i]);
        const void *data = PyUnicode_DATA(parts[i]);
        if (part_kind == kind)
            memcpy((char *)out + at * kind, data, size * kind);
        else
            /* A narrower part: widen its characters one by one. */
            for (Py_ssize_t j = 0; j < size; j++)
                PyUnicode_WRITE(kind, out, at + j, PyUnicode_READ(part_kind, data, j));
        at += size;
    }
    return text;
}

/* join_lines(pieces) -> list[str]: pieces are constant strs and lists of strs; line r is
 * the concatenation, in order, of each constant and of each list's item r. There are as
 * many lines as the shortest list has items. */
static PyObject *
join_lines(PyObject *module, PyObject *pieces)
{
    PyObject *fast = PySequence_Fast(pieces, "join_lines: pieces must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    Py_ssize_t count = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyList_Check(items[i])) {
            Py_ssize_t size = PyList_GET_SIZE(items[i]);
            if (count < 0 || size < count)
                count = size;
        }
        else if (!PyUnicode_Check(items[i])) {
            PyErr_SetString(PyExc_TypeError, "join_lines: a piece is a str or a list of str");
            Py_DECREF(fast);
            return NULL;
        }
    }
    if (count < 0) {
        PyErr_SetString(PyExc_ValueError, "join_lines: no list among the pieces");
        Py_DECREF(fast);
        return NULL;
    }
    PyObject **parts = PyMem_New(PyObject *, n ? n : 1);
    PyObject *lines = parts == NULL ? NULL : PyList_New(count);
    if (lines == NULL) {
        PyMem_Free(parts);
        Py_DECREF(fast);
        return parts == NULL ? PyErr_NoMemory() : NULL;
    }
    for (Py_ssize_t r = 0; r < count; r++) {
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *part = PyList_Check(items[i]) ? PyList_GET_ITEM(items[i], r) : items[i];
            if (!PyUnicode_Check(part)) {
                PyErr_SetString(PyExc_TypeError, "join_lines: a list holds something not a str");
                goto fail;
            }
            parts[i] = part;
        }
        PyObject *line = concat(parts, n);
        if (line == NULL)
            goto fail;
        PyList_SET_ITEM(lines, r, line);
    }
    PyMem_Free(parts);
    Py_DECREF(fast);
    return lines;
fail:
    PyMem_Free(parts);
    Py_DECREF(fast);
    Py_DECREF(lines);
    return NULL;
}

/* The candidate fragment `"` six tail `"` of a cell whose area code and exchange are in
 * `heads` (a cell of ASCII ending in four digits, whose start maps to six digits; or ten
 * digits and ".0" whose first six map to six digits), a new reference; NULL without an
 * error when the cell takes the Python candidate. */
static PyObject *
known_candidate(PyObject *cell, PyObject *heads)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(cell);
    if (length < 4 || !PyUnicode_IS_ASCII(cell))
        return NULL;
    const char *text = (const char *)PyUnicode_DATA(cell);
    if (length == 12 && text[10] == '.' && text[11] == '0' && text[0] != '1') {
        /* A phone column read as numbers by a spreadsheet: ten digits and ".0". */
        for (Py_ssize_t i = 0; i < 10; i++)
            if (text[i] < '0' || text[i] > '9')
                return NULL;
        PyObject *head = PyUnicode_Substring(cell, 0, 6);
        if (head == NULL)
            return NULL;
        PyObject *six = PyDict_GetItemWithError(heads, head);
        Py_DECREF(head);
        if (six == NULL || !PyUnicode_CheckExact(six) || PyUnicode_GET_LENGTH(six) == 0)
            return NULL;
        PyObject *fragment = PyUnicode_New(12, 127);
        if (fragment == NULL)
            return NULL;
        char *out = (char *)PyUnicode_DATA(fragment);
        out[0] = out[11] = '"';
        memcpy(out + 1, text, 10);
        return fragment;
    }
    for (Py_ssize_t i = length - 4; i < length; i++)
        if (text[i] < '0' || text[i] > '9')
            return NULL;
    PyObject *head = PyUnicode_Substring(cell, 0, length - 4);
    if (head == NULL)
        return NULL;
    PyObject *six = PyDict_GetItemWithError(heads, head);
    Py_DECREF(head);
    if (six == NULL || !PyUnicode_CheckExact(six) || !PyUnicode_IS_ASCII(six)
        || PyUnicode_GET_LENGTH(six) == 0)
        return NULL;
    Py_ssize_t size = PyUnicode_GET_LENGTH(six);
    PyObject *fragment = PyUnicode_New(size + 6, 127);
    if (fragment == NULL)
        return NULL;
    char *out = (char *)PyUnicode_DATA(fragment);
    out[0] = '"';
    memcpy(out + 1, PyUnicode_DATA(six), size);
    memcpy(out + 1 + size, text + length - 4, 4);
    out[size + 5] = '"';
    return fragment;
}

static PyObject *ALT_PHONES; /* ,"alt_phones":[ */
static PyObject *CLOSE;      /* ] */
static PyObject *COMMA;      /* , */
static PyObject *EMPTY;      /* "" */

/* A valid candidate: an exact str that starts with a quote (a JSON string of digits). */
static int
is_number(PyObject *candidate)
{
    return PyUnicode_CheckExact(candidate) && PyUnicode_GET_LENGTH(candidate) > 0
           && PyUnicode_READ_CHAR(candidate, 0) == '"';
}

/* The phone fragment of a row whose candidates are all blank or valid, at least one. */
static PyObject *
chosen(PyObject **candidates, Py_ssize_t n)
{
    PyObject *parts[2 * 8 + 2];
    Py_ssize_t count = 0;
    PyObject *first = NULL;
    PyObject *listed[8];
    Py_ssize_t alternates = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *candidate = candidates[k];
        if (PyUnicode_GET_LENGTH(candidate) == 0)
            continue;
        if (first == NULL) {
            first = candidate;
            continue;
        }
        int seen = PyUnicode_Compare(candidate, first) == 0;
        for (Py_ssize_t j = 0; !seen && j < alternates; j++)
            seen = PyUnicode_Compare(candidate, listed[j]) == 0;
        if (!seen)
            listed[alternates++] = candidate;
    }
    parts[count++] = first;
    parts[count++] = ALT_PHONES;
    for (Py_ssize_t j = 0; j < alternates; j++) {
        if (j)
            parts[count++] = COMMA;
        parts[count++] = listed[j];
    }
    parts[count++] = CLOSE;
    return concat(parts, count);
}

/* phone_fragments(columns, heads, candidate, choose, order) -> list[str]: the phone
 * fragment of each row, from its cells in the columns' order. A cell's candidate is ""
 * for an empty cell, the known shape for a cell `heads` settles, else candidate(cell).
 * A row whose candidates are blank or valid numbers, at least one, is written here; any
 * other row is choose(candidates, order). */
static PyObject *
phone_fragments(PyObject *module, PyObject *args)
{
    PyObject *columns, *heads, *candidate, *choose, *order;
    if (!PyArg_ParseTuple(args, "OO!OOO:phone_fragments", &columns, &PyDict_Type, &heads,
                          &candidate, &choose, &order))
        return NULL;
    PyObject *fast = PySequence_Fast(columns, "phone_fragments: columns must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (n < 1 || n > 8) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "phone_fragments: 1 to 8 columns");
        return NULL;
    }
    PyObject *cells[8];
    PyObject *candidates[8];
    Py_ssize_t count = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        cells[k] = PySequence_Fast(PySequence_Fast_GET_ITEM(fast, k),
                                   "phone_fragments: a column must be a sequence");
        if (cells[k] == NULL) {
            for (Py_ssize_t j = 0; j < k; j++)
                Py_DECREF(cells[j]);
            Py_DECREF(fast);
            return NULL;
        }
        Py_ssize_t size = PySequence_Fast_GET_SIZE(cells[k]);
        if (count >= 0 && size != count) {
            for (Py_ssize_t j = 0; j <= k; j++)
                Py_DECREF(cells[j]);
            Py_DECREF(fast);
            PyErr_SetString(PyExc_ValueError, "phone_fragments: columns of different lengths");
            return NULL;
        }
        count = size;
    }
    Py_ssize_t filled = 0; /* candidates[0:filled] hold references */
    PyObject *fragments = PyList_New(count);
    if (fragments == NULL)
        goto fail;
    for (Py_ssize_t r = 0; r < count; r++) {
        int plain = 0; /* valid numbers among the candidates, or -1: another kind */
        for (filled = 0; filled < n; filled++) {
            PyObject *cell = PySequence_Fast_GET_ITEM(cells[filled], r);
            if (!PyUnicode_Check(cell)) {
                PyErr_SetString(PyExc_TypeError, "phone_fragments: a cell is not a str");
                goto fail;
            }
            PyObject *found;
            if (PyUnicode_GET_LENGTH(cell) == 0) {
                found = Py_NewRef(EMPTY);
            }
            else {
                found = known_candidate(cell, heads);
                if (found == NULL) {
                    if (PyErr_Occurred())
                        goto fail;
                    found = PyObject_CallOneArg(candidate, cell);
                    if (found == NULL)
                        goto fail;
                    if (!PyUnicode_Check(found)) {
                        Py_DECREF(found);
                        PyErr_SetString(PyExc_TypeError, "phone_fragments: candidate() gave no str");
                        goto fail;
                    }
                }
            }
            candidates[filled] = found;
            if (PyUnicode_GET_LENGTH(found) == 0 && PyUnicode_CheckExact(found))
                continue;
            if (plain >= 0 && is_number(found))
                plain++;
            else
                plain = -1;
        }
        PyObject *fragment;
        if (plain > 0) {
            fragment = chosen(candidates, n);
        }
        else {
            PyObject *row = PyTuple_New(n);
            if (row == NULL)
                goto fail;
            for (Py_ssize_t k = 0; k < n; k++)
                PyTuple_SET_ITEM(row, k, Py_NewRef(candidates[k]));
            fragment = PyObject_CallFunctionObjArgs(choose, row, order, NULL);
            Py_DECREF(row);
        }
        for (Py_ssize_t k = 0; k < n; k++)
            Py_DECREF(candidates[k]);
        filled = 0;
        if (fragment == NULL)
            goto fail;
        PyList_SET_ITEM(fragments, r, fragment);
    }
    for (Py_ssize_t k = 0; k < n; k++)
        Py_DECREF(cells[k]);
    Py_DECREF(fast);
    return fragments;
fail:
    for (Py_ssize_t k = 0; k < filled; k++)
        Py_DECREF(candidates[k]);
    for (Py_ssize_t k = 0; k < n; k++)
        Py_DECREF(cells[k]);
    Py_DECREF(fast);
    Py_XDECREF(fragments);
    return NULL;
}

/* Characters of the address pattern's local part besides letters, digits and dots. */
static int
is_local(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static int
is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Whether `text` (lower-cased ASCII, `length` <= 254) matches the rule's address pattern
 * with at most 64 characters before the "@". */
static int
is_address(const unsigned char *text, Py_ssize_t length)
{
    const unsigned char *at = memchr(text, '@', length);
    if (at == NULL || at == text || at - text > 64)
        return 0;
    /* Local part: atoms separated by single dots. */
    int atom = 0;
    for (const unsigned char *p = text; p < at; p++) {
        if (*p == '.') {
            if (!atom)
                return 0;
            atom = 0;
        }
        else if (is_local(*p))
            atom++;
        else
            return 0;
    }
    if (!atom)
        return 0;
    /* Domain: one or more labels, each followed by a dot, then the top-level part. */
    const unsigned char *end = text + length;
    const unsigned char *label = at + 1;
    int labels = 0;
    for (;;) {
        const unsigned char *dot = memchr(label, '.', end - label);
        if (dot == NULL)
            break;
        Py_ssize_t size = dot - label;
        if (size < 1 || size > 63 || !is_alnum(label[0]) || !is_alnum(dot[-1]))
            return 0;
        for (const unsigned char *p = label; p < dot; p++)
            if (!is_alnum(*p) && *p != '-')
                return 0;
        labels++;
        label = dot + 1;
    }
    if (!labels)
        return 0;
    Py_ssize_t size = end - label;
    if (size >= 5 && size <= 63 && memcmp(label, "xn--", 4) == 0) {
        int ok = 1;
        for (const unsigned char *p = label + 4; p < end; p++)
            ok = ok && (is_alnum(*p) || *p == '-');
        if (ok)
            return 1;
    }
    if (size < 2 || size > 63)
        return 0;
    for (const unsigned char *p = label; p < end; p++)
        if (*p < 'a' || *p > 'z')
            return 0;
    return 1;
}

/* The fragment of a cell of printable ASCII without surrounding space that, lower-cased,
 * is a valid address: the address as a JSON string. */
static PyObject *
email_address(PyObject *cell, PyObject *context)
{
    (void)context;
    Py_ssize_t length = PyUnicode_GET_LENGTH(cell);
    if (length > 254 || !PyUnicode_IS_ASCII(cell))
        return NULL;
    const unsigned char *text = (const unsigned char *)PyUnicode_DATA(cell);
    if (text[0] <= ' ' || text[length - 1] <= ' ' || text[0] >= 127 || text[length - 1] >= 127)
        return NULL;
    PyObject *fragment = PyUnicode_New(length + 2, 127);
    if (fragment == NULL)
        return NULL;
    unsigned char *out = (unsigned char *)PyUnicode_DATA(fragment);
    out[0] = out[length + 1] = '"';
    for (Py_ssize_t i = 0; i < length; i++)
        out[i + 1] = (text[i] >= 'A' && text[i] <= 'Z') ? text[i] + 32 : text[i];
    if (!is_address(out + 1, length))
        Py_CLEAR(fragment);
    return fragment;
}

/* A new str of `size` ASCII characters (no UTF-8 decoding). */
static PyObject *
ascii_text(const char *text, Py_ssize_t size)
{
    PyObject *result = PyUnicode_New(size, 127);
    if (result != NULL)
        memcpy(PyUnicode_DATA(result), text, size);
    return result;
}

/* A cell JSON writes as it is between quotes, with nothing a rule would strip: printable
 * ASCII without `"` or `\`, not starting or ending with a space. */
static int
is_plain(PyObject *cell)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(cell);
    if (length == 0 || !PyUnicode_IS_ASCII(cell))
        return 0;
    const unsigned char *text = (const unsigned char *)PyUnicode_DATA(cell);
    if (text[0] == ' ' || text[length - 1] == ' ')
        return 0;
    for (Py_ssize_t i = 0; i < length; i++)
        if (text[i] < ' ' || text[i] > '~' || text[i] == '"' || text[i] == '\\')
            return 0;
    return 1;
}

/* `"` + parts + `"`, a new exact str. */
static PyObject *
quoted(PyObject **parts, Py_ssize_t n)
{
    static PyObject *quote;
    if (quote == NULL && (quote = PyUnicode_InternFromString("\"")) == NULL)
        return NULL;
    PyObject *all[6];
    all[0] = quote;
    for (Py_ssize_t i = 0; i < n; i++)
        all[i + 1] = parts[i];
    all[n + 1] = quote;
    return concat(all, n + 2);
}

/* The per-cell functions below settle a non-empty cell: settle(cell, context) gives a new
 * reference, or NULL without an error for a cell that takes fallback(cell). */
typedef PyObject *(*settle)(PyObject *cell, PyObject *context);

/* [blank if cell == "" else settle(cell) or fallback(cell) for cell in cells]. */
static PyObject *
each_cell(PyObject *args, const char *format, settle fragment)
{
    PyObject *cells, *blank, *fallback, *context = NULL;
    if (!PyArg_ParseTuple(args, format, &cells, &blank, &fallback, &PyDict_Type, &context))
        return NULL;
    PyObject *fast = PySequence_Fast(cells, "cells must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    PyObject *fragments = PyList_New(count);
    if (fragments == NULL) {
        Py_DECREF(fast);
        return NULL;
    }
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *cell = PySequence_Fast_GET_ITEM(fast, r);
        if (!PyUnicode_Check(cell)) {
            PyErr_SetString(PyExc_TypeError, "a cell is not a str");
            goto fail;
        }
        PyObject *found = PyUnicode_GET_LENGTH(cell) ? fragment(cell, context) : Py_NewRef(blank);
        if (found == NULL) {
            if (PyErr_Occurred())
                goto fail;
            found = PyObject_CallOneArg(fallback, cell);
            if (found == NULL)
                goto fail;
        }
        PyList_SET_ITEM(fragments, r, found);
    }
    Py_DECREF(fast);
    return fragments;
fail:
    Py_DECREF(fast);
    Py_DECREF(fragments);
    return NULL;
}

static PyObject *
plain_string(PyObject *cell, PyObject *context)
{
    (void)context;
    return is_plain(cell) ? quoted(&cell, 1) : NULL;
}


/* The fragment of a whole-dollar amount: `[$]digits[.00]` or `[$]d{1,3}(,ddd)+[.00]`, no
 * leading zero, at most 15 digits, as `digits.0`. */
static PyObject *
whole_dollars(PyObject *cell, PyObject *context)
{
    (void)context;
    Py_ssize_t length = PyUnicode_GET_LENGTH(cell);
    if (!PyUnicode_IS_ASCII(cell) || length > 32)
        return NULL;
    const char *text = (const char *)PyUnicode_DATA(cell);
    const char *end = text + length;
    if (length >= 3 && memcmp(end - 3, ".00", 3) == 0)
        end -= 3;
    const char *p = text + (text[0] == '$');
    char digits[24];
    int count = 0, run = 0, grouped = 0;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            if (count == 15)
                return NULL;
            digits[count++] = *p;
            run++;
        }
        else if (*p == ',' && run >= 1 && (grouped ? run == 3 : run <= 3)) {
            grouped = 1;
            run = 0;
        }
        else
            return NULL;
    }
    if (count == 0 || digits[0] == '0' || (grouped && run != 3))
        return NULL;
    digits[count++] = '.';
    digits[count++] = '0';
    return ascii_text(digits, count);
}


/* `"` house ` ` rest `"` when `house` is ASCII digits and `streets` maps `street` to a
 * non-empty str. */
static PyObject *
street_line(PyObject *house, PyObject *street, PyObject *streets)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(house);
    if (length == 0 || !PyUnicode_IS_ASCII(house))
        return NULL;
    const char *text = (const char *)PyUnicode_DATA(house);
    for (Py_ssize_t i = 0; i < length; i++)
        if (text[i] < '0' || text[i] > '9')
            return NULL;
    PyObject *rest = PyDict_GetItemWithError(streets, street);
    if (rest == NULL || !PyUnicode_CheckExact(rest) || PyUnicode_GET_LENGTH(rest) == 0)
        return NULL;
    static PyObject *space;
    if (space == NULL && (space = PyUnicode_InternFromString(" ")) == NULL)
        return NULL;
    PyObject *parts[3] = {house, space, rest};
    return quoted(parts, 3);
}

static PyObject *
address_line(PyObject *cell, PyObject *streets)
{
    Py_ssize_t space = PyUnicode_FindChar(cell, ' ', 0, PyUnicode_GET_LENGTH(cell), 1);
    if (space < 1)
        return NULL;
    PyObject *house = PyUnicode_Substring(cell, 0, space);
    PyObject *street = house == NULL ? NULL
                                     : PyUnicode_Substring(cell, space + 1, PyUnicode_GET_LENGTH(cell));
    PyObject *line = street == NULL ? NULL : street_line(house, street, streets);
    Py_XDECREF(house);
    Py_XDECREF(street);
    return line;
}


/* A consent URL of printable ASCII without spaces, quotes or backslashes whose origin (up
 * to the first "/" after the scheme, with no "?" or "#") `origins` maps to True, as a
 * JSON string. */
static PyObject *
consent_url(PyObject *cell, PyObject *origins)
{
    if (!is_plain(cell) || PyUnicode_FindChar(cell, ' ', 0, PyUnicode_GET_LENGTH(cell), 1) != -1)
        return NULL;
    Py_ssize_t length = PyUnicode_GET_LENGTH(cell);
    if (length <= 8)
        return NULL;
    const char *text = (const char *)PyUnicode_DATA(cell);
    const char *slash = memchr(text + 8, '/', length - 8);
    if (slash == NULL)
        return NULL;
    Py_ssize_t size = slash - text + 1;
    if (memchr(text, '?', size) != NULL || memchr(text, '#', size) != NULL)
        return NULL;
    PyObject *origin = PyUnicode_Substring(cell, 0, size);
    if (origin == NULL)
        return NULL;
    PyObject *valid = PyDict_GetItemWithError(origins, origin);
    Py_DECREF(origin);
    return valid == Py_True ? quoted(&cell, 1) : NULL;
}

/* Two ASCII digits at `text` as a number, or -1. */
static int
two_digits(const char *text)
{
    if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9')
        return -1;
    return (text[0] - '0') * 10 + (text[1] - '0');
}

/* A date `YYYYMMDD`, `YYYY-MM-DD` or `M/D/YYYY` (ASCII digits) of a day in the calendar
 * of the years 1900 to 2099, as `"YYYY-MM-DD"`. */
static PyObject *
calendar_date(PyObject *cell, PyObject *context)
{
    (void)context;
    Py_ssize_t length = PyUnicode_GET_LENGTH(cell);
    if (!PyUnicode_IS_ASCII(cell) || length < 8 || length > 10)
        return NULL;
    const char *text = (const char *)PyUnicode_DATA(cell);
    char year[4], month[2], day[2];
    const char *first = memchr(text, '/', length);
    if (first == NULL && length == 8) {
        memcpy(year, text, 4), memcpy(month, text + 4, 2), memcpy(day, text + 6, 2);
    }
    else if (first == NULL && length == 10 && text[4] == '-' && text[7] == '-') {
        memcpy(year, text, 4), memcpy(month, text + 5, 2), memcpy(day, text + 8, 2);
    }
    else {
        const char *second = first == NULL ? NULL : memchr(first + 1, '/', text + length - first - 1);
        if (second == NULL || text + length - second - 1 != 4 || first - text < 1
            || first - text > 2 || second - first - 1 < 1 || second - first - 1 > 2)
            return NULL;
        month[0] = first - text == 2 ? text[0] : '0';
        month[1] = first[-1];
        day[0] = second - first == 3 ? first[1] : '0';
        day[1] = second[-1];
        memcpy(year, second + 1, 4);
    }
    int century = two_digits(year), decade = two_digits(year + 2);
    int m = two_digits(month), d = two_digits(day);
    if (century < 0 || decade < 0 || m < 1 || m > 12 || d < 1)
        return NULL;
    int y = century * 100 + decade;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    if (y < 1900 || y > 2099 || d > days[m - 1] + (m == 2 && leap))
        return NULL;
    char iso[12] = {'"', year[0], year[1], year[2], year[3], '-', month[0], month[1], '-',
                    day[0], day[1], '"'};
    return ascii_text(iso, 12);
}

#define PER_CELL(name, settle, format) \
    static PyObject *name(PyObject *module, PyObject *args) \
    { \
        (void)module; \
        return each_cell(args, format ":" #name, settle); \
    }

/* Arguments: (cells, blank, fallback) and, for the last two, the dict they look up. */
PER_CELL(email_fragments, email_address, "OUO")
PER_CELL(json_strings, plain_string, "OUO")
PER_CELL(amount_fragments, whole_dollars, "OUO")
PER_CELL(date_fragments, calendar_date, "OUO")
PER_CELL(address_fragments, address_line, "OUOO!")
PER_CELL(url_fragments, consent_url, "OUOO!")

/* prefixed_strings(cells, prefix, fallback) -> list[str]: prefix + `"cell"` for a cell
 * JSON writes as it is (see is_plain), fallback(cell) for any other cell. */
static PyObject *
prefixed_strings(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cells, *prefix, *fallback;
    if (!PyArg_ParseTuple(args, "OUO:prefixed_strings", &cells, &prefix, &fallback))
        return NULL;
    static PyObject *quote;
    if (quote == NULL && (quote = PyUnicode_InternFromString("\"")) == NULL)
        return NULL;
    PyObject *fast = PySequence_Fast(cells, "prefixed_strings: cells must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    PyObject *fragments = PyList_New(count);
    for (Py_ssize_t r = 0; fragments != NULL && r < count; r++) {
        PyObject *cell = PySequence_Fast_GET_ITEM(fast, r), *found;
        if (!PyUnicode_Check(cell)) {
            PyErr_SetString(PyExc_TypeError, "prefixed_strings: a cell is not a str");
            Py_CLEAR(fragments);
            break;
        }
        if (is_plain(cell)) {
            PyObject *parts[4] = {prefix, quote, cell, quote};
            found = concat(parts, 4);
        }
        else
            found = PyObject_CallOneArg(fallback, cell);
        if (found == NULL)
            Py_CLEAR(fragments);
        else
            PyList_SET_ITEM(fragments, r, found);
    }
    Py_DECREF(fast);
    return fragments;
}

/* address_pair_fragments(houses, streets, fallback, memo) -> list[str]: for a house
 * number of ASCII digits and a street ending in a printable ASCII character other than a
 * space that `memo` maps to a non-empty str `rest`, `"N rest"`; for any other pair,
 * fallback(house, street). */
static PyObject *
address_pair_fragments(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *houses, *streets, *fallback, *memo;
    if (!PyArg_ParseTuple(args, "OOOO!:address_pair_fragments", &houses, &streets, &fallback,
                          &PyDict_Type, &memo))
        return NULL;
    PyObject *left = PySequence_Fast(houses, "houses must be a sequence");
    PyObject *right = left == NULL ? NULL : PySequence_Fast(streets, "streets must be a sequence");
    PyObject *fragments = NULL;
    if (right == NULL)
        goto done;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(left);
    if (PySequence_Fast_GET_SIZE(right) != count) {
        PyErr_SetString(PyExc_ValueError, "address_pair_fragments: columns of different lengths");
        goto done;
    }
    fragments = PyList_New(count);
    for (Py_ssize_t r = 0; fragments != NULL && r < count; r++) {
        PyObject *house = PySequence_Fast_GET_ITEM(left, r);
        PyObject *street = PySequence_Fast_GET_ITEM(right, r);
        if (!PyUnicode_Check(house) || !PyUnicode_Check(street)) {
            PyErr_SetString(PyExc_TypeError, "a cell is not a str");
            Py_CLEAR(fragments);
            break;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(street);
        Py_UCS4 last = length ? PyUnicode_READ_CHAR(street, length - 1) : 0;
        PyObject *found = last > ' ' && last < 127 ? street_line(house, street, memo) : NULL;
        if (found == NULL
            && (PyErr_Occurred()
                || (found = PyObject_CallFunctionObjArgs(fallback, house, street, NULL)) == NULL)) {
            Py_CLEAR(fragments);
            break;
        }
        PyList_SET_ITEM(fragments, r, found);
    }
done:
    Py_XDECREF(left);
    Py_XDECREF(right);
    return fragments;
}

/* memo_fragments(cells, memo) -> list: [memo[cell] for cell in cells], a hit without a
 * Python call; a miss is memo[cell] itself (the dict subclass's __missing__). */
static PyObject *
memo_fragments(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *cells, *memo;
    if (!PyArg_ParseTuple(args, "OO!:memo_fragments", &cells, &PyDict_Type, &memo))
        return NULL;
    PyObject *fast = PySequence_Fast(cells, "memo_fragments: cells must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    PyObject *fragments = PyList_New(count);
    for (Py_ssize_t r = 0; fragments != NULL && r < count; r++) {
        PyObject *cell = PySequence_Fast_GET_ITEM(fast, r);
        PyObject *found = PyDict_GetItemWithError(memo, cell);
        if (found != NULL)
            Py_INCREF(found);
        else if (PyErr_Occurred() || (found = PyObject_GetItem(memo, cell)) == NULL) {
            Py_CLEAR(fragments);
            break;
        }
        PyList_SET_ITEM(fragments, r, found);
    }
    Py_DECREF(fast);
    return fragments;
}

/* warned(columns) -> list[int]: the indices of the columns holding anything other than
 * an exact str (fragments that carry warnings). */
static PyObject *
warned(PyObject *module, PyObject *columns)
{
    PyObject *fast = PySequence_Fast(columns, "warned: columns must be a sequence");
    if (fast == NULL)
        return NULL;
    PyObject *found = PyList_New(0);
    for (Py_ssize_t i = 0; found != NULL && i < PySequence_Fast_GET_SIZE(fast); i++) {
        PyObject *column = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyList_Check(column)) {
            PyErr_SetString(PyExc_TypeError, "warned: a column is not a list");
            Py_CLEAR(found);
            break;
        }
        for (Py_ssize_t r = 0; r < PyList_GET_SIZE(column); r++) {
            if (!PyUnicode_CheckExact(PyList_GET_ITEM(column, r))) {
                PyObject *index = PyLong_FromSsize_t(i);
                if (index == NULL || PyList_Append(found, index) < 0)
                    Py_CLEAR(found);
                Py_XDECREF(index);
                break;
            }
        }
    }
    Py_DECREF(fast);
    return found;
}

/* encode_lines(lines) -> bytes: "".join(line + "\n" for line in lines), UTF-8 encoded; an
 * ASCII line is copied as it is. */
static PyObject *
encode_lines(PyObject *module, PyObject *lines)
{
    (void)module;
    if (!PyList_Check(lines)) {
        PyErr_SetString(PyExc_TypeError, "encode_lines: lines must be a list");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(lines), size = 0;
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *line = PyList_GET_ITEM(lines, r);
        Py_ssize_t length;
        if (!PyUnicode_Check(line)) {
            PyErr_SetString(PyExc_TypeError, "encode_lines: a line is not a str");
            return NULL;
        }
        if (PyUnicode_IS_ASCII(line))
            length = PyUnicode_GET_LENGTH(line);
        else if (PyUnicode_AsUTF8AndSize(line, &length) == NULL)
            return NULL; /* the UTF-8 form stays cached on the str for the copy below */
        size += length + 1;
    }
    PyObject *encoded = PyBytes_FromStringAndSize(NULL, size);
    if (encoded == NULL)
        return NULL;
    char *out = PyBytes_AS_STRING(encoded);
    for (Py_ssize_t r = 0; r < count; r++) {
        PyObject *line = PyList_GET_ITEM(lines, r);
        Py_ssize_t length;
        const char *text;
        if (PyUnicode_IS_ASCII(line)) {
            length = PyUnicode_GET_LENGTH(line);
            text = (const char *)PyUnicode_DATA(line);
        }
        else
            text = PyUnicode_AsUTF8AndSize(line, &length);
        memcpy(out, text, length);
        out += length;
        *out++ = '\n';
    }
    return encoded;
}

static PyMethodDef methods[] = {
    {"transpose", transpose, METH_VARARGS, "The columns of equally wide rows, as lists."},
    {"join_lines", join_lines, METH_O, "Constant texts and columns of texts joined row by row."},
    {"phone_fragments", phone_fragments, METH_VARARGS, "The phone fragments of a chunk's rows."},
    /* (cells, blank, fallback[, dict]) -> fragments: blank for an empty cell, the common
     * shape settled here, fallback(cell) for any other cell. */
    {"email_fragments", email_fragments, METH_VARARGS, "Valid addresses as JSON strings."},
    {"json_strings", json_strings, METH_VARARGS, "Plain cells as JSON strings."},
    {"amount_fragments", amount_fragments, METH_VARARGS, "Whole-dollar amounts as N.0."},
    {"address_fragments", address_fragments, METH_VARARGS, "Street lines `N street`."},
    {"url_fragments", url_fragments, METH_VARARGS, "Consent URLs of a known origin."},
    {"date_fragments", date_fragments, METH_VARARGS, "Calendar dates of the common layouts."},
    {"address_pair_fragments", address_pair_fragments, METH_VARARGS, "Street lines of two columns."},
    {"prefixed_strings", prefixed_strings, METH_VARARGS, "Plain cells as JSON strings, prefixed."},
    {"memo_fragments", memo_fragments, METH_VARARGS, "A column's values in a memo."},
    {"warned", warned, METH_O, "The columns holding fragments that carry warnings."},
    {"encode_lines", encode_lines, METH_O, "Lines and their newlines as UTF-8."},
    {NULL, NULL, 0, NULL},
};

static int
exec_module(PyObject *module)
{
    if (ALT_PHONES != NULL)
        return 0; /* the constants outlive a module object: made once per process */
    ALT_PHONES = PyUnicode_InternFromString(",\"alt_phones\":[");
    CLOSE = PyUnicode_InternFromString("]");
    COMMA = PyUnicode_InternFromString(",");
    EMPTY = PyUnicode_InternFromString("");
    if (ALT_PHONES == NULL || CLOSE == NULL || COMMA == NULL || EMPTY == NULL)
        return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pipeline.sources._speedups",
    .m_doc = "C helpers for the compiled normalize path (see pipeline/sources/speedups.py).",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = slots,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&definition);
}

