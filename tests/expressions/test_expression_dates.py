""".NET date formats, DateTimeStyles, VB DateAdd/DateDiff and FILETIME conversions."""

from __future__ import annotations

import pytest

from synctui.expressions import ExpressionEvaluationError

from .support import evaluate


@pytest.mark.parametrize(
    "source, input_format, output_format, expected",
    [
        ("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "yyyy-MM-dd", "2015-01-23"),
        ("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "M/d/yyyy h:mm:ss tt", "1/23/2015 10:53:47 AM"),
        ("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "yyyy-MM-ddTHH:mm:ss.fffK", "2015-01-23T10:53:47.100Z"),
        ("2020-12-31-08:00", "yyyy-MM-ddzzz", "yyyy-MM-dd", "2020-12-31"),
        # an offset converts to the service's (UTC) local time: 20:00 at -08:00 is the next day
        ("2020-12-31T20:00:00-08:00", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-dd HH:mm zzz", "2021-01-01 04:00 +00:00"),
        ("12/31/2020 09:30:00 PM", "M/d/yyyy hh:mm:ss tt", "yyyy-MM-dd HH:mm", "2020-12-31 21:30"),
        ("1/2/2021 12:05:09 AM", "M/d/yyyy h:mm:ss tt", "M/d/yyyy h:mm:ss tt", "1/2/2021 12:05:09 AM"),
        ("  2021-03-04  ", "yyyy-MM-dd", "dd.MM.yy", "04.03.21"),  # default styles allow leading/trailing white
        ("04-Mar-2021", "dd-MMM-yyyy", "dddd, MMMM d", "Thursday, March 4"),
        ("210304", "yyMMdd", "yyyy", "2021"),
        ("990304", "yyMMdd", "yyyy", "1999"),  # two-digit years above 29 are 19xx
        ("2021-03-04 05:06:07", "yyyy-MM-dd HH:mm:ss", "h 'h' m 'min' s \\s", "5 h 6 min 7 s"),
        ("2021-03-04 05:06:07", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "2021-03-04T05:06:07"),
        ("2021-03-04 05:06:07", "yyyy-MM-dd HH:mm:ss", "s", "2021-03-04T05:06:07"),
        ("2021-03-04 05:06:07", "yyyy-MM-dd HH:mm:ss", "o", "2021-03-04T05:06:07.0000000"),
        ("2021-03-04 05:06:07", "yyyy-MM-dd HH:mm:ss", "%d", "4"),
        ("2021-03-04 05:06:07", "yyyy-MM-dd HH:mm:ss", "t", "05:06"),
        ("2021-03-04 17:06:07", "yyyy-MM-dd HH:mm:ss", "%h%t", "5P"),
    ],
)
def test_format_date_time(source, input_format, output_format, expected):
    text = f'FormatDateTime([d], , "{input_format}", "{output_format}")'
    assert evaluate(text, {"d": source}) == expected
    legacy = f'FormatDateTime([d], "{input_format}", "{output_format}")'
    assert evaluate(legacy, {"d": source}) == expected


def test_format_date_time_accepts_date_values():
    assert evaluate('FormatDateTime(Now(), , "ignored", "yyyyMMddHHmmss.0Z")') == "20210825174118.0Z"
    assert evaluate('FormatDateTime(DateAdd("d", 1, CDate("2021-01-31")), , "", "yyyy-MM-dd")') == "2021-02-01"


def test_format_date_time_styles():
    assert (
        evaluate('FormatDateTime([d], "AllowWhiteSpaces", "yyyy MM dd", "yyyy-MM-dd")', {"d": " 2021  03 04 "})
        == "2021-03-04"
    )
    assert (
        evaluate(
            'FormatDateTime([d], "AdjustToUniversal", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mmK")',
            {"d": "2021-03-04 05:06"},
        )
        == "2021-03-04T05:06Z"
    )
    with pytest.raises(ExpressionEvaluationError, match="FormatDateTime: 'Sideways' is not a DateTimeStyles name"):
        evaluate('FormatDateTime([d], "Sideways", "yyyy", "yyyy")', {"d": "2021"})


def test_format_date_time_without_a_date_part_uses_today():
    assert evaluate('FormatDateTime([t], , "HH:mm", "yyyy-MM-dd HH:mm")', {"t": "09:15"}) == "2021-08-25 09:15"


@pytest.mark.parametrize(
    "source, input_format, message",
    [
        ("2021-13-01", "yyyy-MM-dd", "'2021-13-01' is not a valid date/time for the format 'yyyy-MM-dd'"),
        ("2021/03/04", "yyyy-MM-dd", "'2021/03/04' does not match the date format 'yyyy-MM-dd'"),
        ("13:00 PM", "HH:mm tt", "hour 13 is not valid with AM/PM"),
        ("x", "'unterminated", "unterminated quoted string"),
    ],
)
def test_format_date_time_errors_name_the_function(source, input_format, message):
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(f'FormatDateTime([d], , "{input_format}", "yyyy")', {"d": source})
    assert str(caught.value).startswith("FormatDateTime: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("2020-03-16-07:00", "3/16/2020 7:00:00 AM"),
        ("2021-06-30+08:00", "6/29/2021 4:00:00 PM"),
        ("2009-06-15T01:45:30-07:00", "6/15/2009 8:45:30 AM"),
        ("2009-06-15T01:45:30.1234567Z", "6/15/2009 1:45:30 AM"),
        ("2009-06-15 13:45", "6/15/2009 1:45:00 PM"),
        ("8/25/2021 5:41:18 PM", "8/25/2021 5:41:18 PM"),
        ("8/25/2021", "8/25/2021 12:00:00 AM"),
        ("Mon, 15 Jun 2009 20:45:30 GMT", "6/15/2009 8:45:30 PM"),
        ("June 15, 2009", "6/15/2009 12:00:00 AM"),
        ("15 June 2009 1:02 am", "6/15/2009 1:02:00 AM"),
    ],
)
def test_cdate_parses_dotnet_forms_into_utc(source, expected):
    assert evaluate("CDate([d])", {"d": source}) == expected


@pytest.mark.parametrize("source", ["yesterday", "2021-02-30", "25/8/2021", "2021-08-25+15:00", ""])
def test_cdate_rejects_what_dotnet_rejects(source):
    with pytest.raises(ExpressionEvaluationError, match=r"^CDate: "):
        evaluate("CDate([d])", {"d": source})


@pytest.mark.parametrize(
    "interval, number, expected",
    [
        ("yyyy", -1, "2/28/2019 12:00:00 AM"),  # clamps Feb 29 to the 28th
        ("q", 1, "5/29/2020 12:00:00 AM"),
        ("m", 1, "3/29/2020 12:00:00 AM"),
        ("d", -29, "1/31/2020 12:00:00 AM"),
        ("w", 1, "3/1/2020 12:00:00 AM"),
        ("ww", 1, "3/7/2020 12:00:00 AM"),
        ("h", 25, "3/1/2020 1:00:00 AM"),
        ("n", -1, "2/28/2020 11:59:00 PM"),
        ("s", 86400, "3/1/2020 12:00:00 AM"),
    ],
)
def test_date_add_intervals(interval, number, expected):
    assert evaluate(f'DateAdd("{interval}", {number}, CDate("2020-02-29"))') == expected


def test_date_add_month_end_clamps():
    assert evaluate('DateAdd("m", 1, CDate("2021-01-31"))') == "2/28/2021 12:00:00 AM"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            'DateAdd("fortnight", 1, Now())',
            "DateAdd: interval 'fortnight' is not one of yyyy, q, m, y, d, w, ww, h, n, s",
        ),
        ('DateAdd("d", "soon", Now())', "DateAdd: value 'soon' is not a whole number"),
        ('DateAdd("yyyy", 9000, Now())', "DateAdd: the result is outside the range of dates"),
        ('DateDiff("d", "not a date", Now())', "DateDiff: 'not a date' is not a recognised date/time"),
        ("DateFromNum(9223372036854775807)", "DateFromNum: 9223372036854775807 is outside the range of FILETIME dates"),
    ],
)
def test_date_errors(text, message):
    with pytest.raises(ExpressionEvaluationError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        evaluate(text)


@pytest.mark.parametrize(
    "interval, first, second, expected",
    [
        ("ww", "2021-08-21", "2021-08-22", "1"),  # Saturday → Sunday crosses a week boundary
        ("ww", "2021-08-22", "2021-08-28", "0"),  # Sunday → Saturday does not
        ("w", "2021-08-21", "2021-08-27", "0"),  # whole weeks of 7 days
        ("m", "2021-01-31", "2021-02-01", "1"),
        ("yyyy", "2021-12-31", "2022-01-01", "1"),
        ("q", "2021-03-31", "2021-04-01", "1"),
        ("d", "2021-08-24 23:00", "2021-08-25 22:59", "0"),  # truncated toward zero
        ("h", "2021-08-25 10:30", "2021-08-25 09:00", "-1"),
    ],
)
def test_date_diff_follows_visual_basic(interval, first, second, expected):
    assert evaluate(f'DateDiff("{interval}", CDate("{first}"), CDate("{second}"))') == expected


def test_filetime_round_trip():
    assert evaluate('NumFromDate("2012-01-01T23:00:00Z")') == "129699324000000000"
    assert evaluate('DateFromNum(NumFromDate("2021-08-25T17:41:18Z"))') == "8/25/2021 5:41:18 PM"
    assert evaluate("DateFromNum([lastLogonTimestamp])", {"lastLogonTimestamp": "0"}) == "1/1/1601 12:00:00 AM"


def test_dates_compare_as_dates():
    assert evaluate('IIF(CDate("2021-08-26") > Now(), "future", "past")') == "future"
    assert evaluate('IIF(Now() = "8/25/2021 5:41:18 PM", "same", "different")') == "same"
