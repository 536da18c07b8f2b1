"""Tests of the number API's 1.0 shape: str(number), errors that name the bad
value, normalize_many/parse_many (one C call per batch), type hints.
Run with test_phonenorm.py (same environment, see its docstring)."""

import inspect
import os
import sys
import typing
import unittest

import phonenorm
from phonenorm import _dispatch, _errors, _lists, _number

SA_TEXTS = ["0501234567", "050 123 4567", "+966 50 123 4567", "٠٥٠١٢٣٤٥٦٧", "０５０１２３４５６７",
            "0501234", "hello", "", "+999 123 4567", "+882 1234 5678", "(202) 555-0110 ext. 45",
            "+39 06 1234 5678", "1-800-FLOWERS", "0112345678", "x" * 300, "0501234567\0junk"]


class StrTest(unittest.TestCase):
    def test_str_is_the_e164(self):
        n = phonenorm.parse("050 123 4567", "SA")
        self.assertEqual(str(n), "+966501234567")
        self.assertEqual("%s" % n, "+966501234567")
        self.assertEqual(f"{n}", "+966501234567")
        # E.164 never carries the extension (format("intl") does)
        self.assertEqual(str(phonenorm.parse("(202) 555-0110 ext. 45", "US")), "+12025550110")

    def test_str_of_a_number_that_did_not_parse_is_empty(self):
        for text, region in (("hello", "SA"), ("", "SA"), ("0501234567", None),
                             ("+999 123 4567", "SA")):
            with self.subTest(text=text):
                n = phonenorm.parse(text, region)
                self.assertFalse(n.is_possible)
                self.assertEqual(str(n), "")
                self.assertEqual(str(n), n.e164)
                self.assertFalse(str(n))

    def test_str_is_always_the_e164_field(self):
        # a number of the wrong length keeps the digits it has, as e164 does:
        # str() says what was read, the status whether it can be called
        n = phonenorm.parse("0501", "SA")
        self.assertEqual((str(n), n.status), ("+9660501", "too_short"))
        for text in SA_TEXTS:
            with self.subTest(text=text):
                n = phonenorm.parse(text, "SA")
                self.assertEqual(str(n), n.e164)

    def test_a_possible_number_has_its_e164(self):
        n = phonenorm.parse("+882 1234 5678")
        self.assertEqual(n.status, "possible")
        self.assertEqual(str(n), "+88212345678")

    def test_repr_stays_informative(self):
        r = repr(phonenorm.parse("0501234567", "SA"))
        self.assertTrue(r.startswith("Number(status=<Status.VALID: 'valid'>"), r)
        for part in ("type=<NumberType.MOBILE: 'mobile'>", "e164='+966501234567'",
                     "country_code=966", "region='SA'", "key=966501234567"):
            self.assertIn(part, r)
        self.assertNotIn("_c=", r)


class ErrorValueTest(unittest.TestCase):
    """The binding's own argument checks name the bad value, as the C
    library's messages do."""

    def assertNames(self, exc_type, fn, *needles):
        with self.assertRaises(exc_type) as cm:
            fn()
        msg = str(cm.exception)
        for needle in needles:
            self.assertIn(needle, msg)
        return msg

    def test_type_errors_name_the_value(self):
        self.assertNames(TypeError, lambda: phonenorm.parse(501234567, "SA"),
                         "text", "int", "501234567")
        self.assertNames(TypeError, lambda: phonenorm.parse(["0501"], "SA"), "list", "['0501']")
        self.assertNames(TypeError, lambda: phonenorm.parse("0501234567", 966),
                         "region", "int", "966")
        self.assertNames(TypeError, lambda: phonenorm.parse_many(["1", 2.5]),
                         "texts[1]", "float", "2.5")
        self.assertNames(TypeError, lambda: phonenorm.normalize_many(None),
                         "texts", "NoneType", "None")
        self.assertNames(TypeError, lambda: phonenorm.normalize_many("0501234567"),
                         "'0501234567'")
        self.assertNames(TypeError, lambda: phonenorm.parse_many(["1"], threads=1.5),
                         "threads", "1.5")
        n = phonenorm.parse("0501234567", "SA")
        self.assertNames(TypeError, lambda: n.format(1), "format", "int", "1")
        self.assertNames(TypeError, lambda: n.info(language=5), "language", "5")

    def test_value_errors_name_the_value(self):
        self.assertNames(ValueError, lambda: phonenorm.parse_many(["1"], threads=-3), "-3")
        n = phonenorm.parse("0501234567", "SA")
        self.assertNames(ValueError, lambda: n.format("dialout"), "'dialout'", "e164")
        self.assertNames(phonenorm.RegionError, lambda: phonenorm.parse("0501", "S\0A"),
                         "'S\\x00A'")
        self.assertNames(phonenorm.InvalidArgumentError, lambda: n.info(language="e\0n"),
                         "'e\\x00n'")

    def test_c_errors_name_the_value(self):
        self.assertNames(phonenorm.RegionError, lambda: phonenorm.parse("0501", "XX"), "'XX'")
        self.assertNames(phonenorm.RegionError,
                         lambda: phonenorm.normalize_many(["0501"], "Saudi"), "'Saudi'")
        n = phonenorm.parse("0501234567", "SA")
        self.assertNames(phonenorm.RegionError, lambda: n.format_out_of_country("QQ"), "'QQ'")

    def test_a_huge_value_is_cut(self):
        msg = self.assertNames(TypeError, lambda: phonenorm.parse([1] * 100000, "SA"), "...")
        self.assertLess(len(msg), 200)


class NormalizeManyTest(unittest.TestCase):
    def inputs(self):
        return [t if i % 5 else t + " " for i, t in enumerate(SA_TEXTS * 50)]

    def test_equals_normalize_one_at_a_time(self):
        texts = self.inputs()
        for keep in (False, True):
            want = [phonenorm.normalize(t, "SA", keep_possible=keep) for t in texts]
            self.assertIn(None, want)
            for threads in (1, 2, 0):
                with self.subTest(keep_possible=keep, threads=threads):
                    self.assertEqual(phonenorm.normalize_many(texts, "SA", threads=threads,
                                                              keep_possible=keep), want)

    def test_every_encoding_path_gives_the_same(self):
        ascii_only = ["0501234567", "+12025550110", "hello", ""]
        wide = ascii_only + ["٠٥٠١٢٣٤٥٦٧"]
        want = ["+966501234567", "+12025550110", None, None, "+966501234567"]
        self.assertEqual(phonenorm.normalize_many(ascii_only, "SA"), want[:4])   # one join
        self.assertEqual(phonenorm.normalize_many(wide, "SA"), want)             # per-item encode
        self.assertEqual(phonenorm.normalize_many([t.encode() for t in wide], "SA"), want)
        mixed = [wide[0], wide[1].encode(), None, bytearray(b"hello"), memoryview(b""),
                 wide[4]]
        self.assertEqual(phonenorm.normalize_many(mixed, "SA"),
                         ["+966501234567", "+12025550110", None, None, None, "+966501234567"])
        self.assertEqual(phonenorm.normalize_many(iter(wide), "sa"), want)
        self.assertEqual(phonenorm.normalize_many((t for t in wide), region="SA", threads=2), want)

    def test_per_item_problems_are_data(self):
        got = phonenorm.normalize_many([None, b"\xff\xfe", "050\udcff", "0501234567\0", "x" * 10**5,
                                        "0501234567"], "SA")
        self.assertEqual(got, [None, None, None, None, None, "+966501234567"])

    def test_empty_and_errors(self):
        self.assertEqual(phonenorm.normalize_many([]), [])
        self.assertEqual(phonenorm.normalize_many((), "SA", threads=8), [])
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.normalize_many(["0501234567"], "XX")
        for bad in ("0501234567", b"0501234567", None, 5):
            with self.subTest(texts=bad):
                with self.assertRaises(TypeError):
                    phonenorm.normalize_many(bad)

    def test_parse_many_equals_parse_on_every_path(self):
        texts = SA_TEXTS + [t.encode() for t in SA_TEXTS[:4]] + [None]
        single = [phonenorm.parse(t, "SA") if t is not None else None for t in texts]
        got = phonenorm.parse_many(texts, "SA", threads=2)
        self.assertEqual(got[:-1], single[:-1])
        self.assertEqual(got[-1].status, "not_a_number")
        self.assertEqual([str(n) for n in got[:-1]], [n.e164 for n in single[:-1]])
        # batch Numbers are whole Numbers: they format, and equal parse()'s
        self.assertEqual(got[0].format("intl"), "+966 50 123 4567")
        self.assertEqual(got[10].format("national"), single[10].format("national"))
        self.assertEqual(phonenorm.parse_many(["(202) 555-0110 ext. 45"], "US")[0]
                         .format("national"), "(202) 555-0110 ext. 45")
        self.assertEqual(got[11].national_number, "0612345678")

    def test_results_survive_their_buffer(self):
        a = phonenorm.parse_many(["0501234567"] * 3, "SA")
        b = phonenorm.normalize_many(["0501234568"] * 3, "SA")
        self.assertEqual([str(n) for n in a], ["+966501234567"] * 3)
        self.assertEqual(b, ["+966501234568"] * 3)


PUBLIC_MODULES = (_number, _errors, _dispatch, _lists)


class TypeHintTest(unittest.TestCase):
    def public_callables(self):
        for name in phonenorm.__all__:
            obj = getattr(phonenorm, name)
            if getattr(obj, "__module__", None) not in {m.__name__ for m in PUBLIC_MODULES}:
                continue
            if inspect.isclass(obj):
                for mname, member in vars(obj).items():
                    if mname.startswith("_") and mname not in ("__init__", "__str__"):
                        continue
                    if isinstance(member, (classmethod, staticmethod)):
                        member = member.__func__
                    if isinstance(member, property):
                        member = member.fget
                    if inspect.isfunction(member):
                        yield "%s.%s" % (name, mname), member
            elif inspect.isfunction(obj):
                yield name, obj

    def test_every_public_function_is_annotated(self):
        seen = 0
        for qualname, fn in self.public_callables():
            seen += 1
            with self.subTest(function=qualname):
                sig = inspect.signature(fn)
                for p in sig.parameters.values():
                    if p.name in ("self", "cls"):
                        continue
                    self.assertIsNot(p.annotation, inspect.Parameter.empty, p.name)
                self.assertIsNot(sig.return_annotation, inspect.Signature.empty)
                # the hints resolve (3.7 syntax: typing names, no "X | None")
                typing.get_type_hints(fn)
        self.assertGreater(seen, 15)

    def test_hints_say_what_comes_back(self):
        self.assertEqual(typing.get_type_hints(phonenorm.normalize_many)["return"],
                         typing.List[typing.Optional[str]])
        self.assertEqual(typing.get_type_hints(phonenorm.parse)["return"], phonenorm.Number)
        self.assertEqual(typing.get_type_hints(phonenorm.parse_many)["return"],
                         typing.List[phonenorm.Number])

    def test_py_typed_ships_with_the_package(self):
        self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(phonenorm.__file__),
                                                    "py.typed")))


if __name__ == "__main__":
    unittest.main()
