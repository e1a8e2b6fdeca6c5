"""Tokenizer test strings, all written for AVSS Explorer (no third-party text), grouped by what they probe.

Used by make_tokenizer_fixture.py. Order is stable so the fixture diff stays readable.
"""

PROSE = [
    "Hello, we can use",
    "The capital of France is",
    "The quick brown fox jumps over the lazy dog.",
    "A small model reads the sentence one token at a time.",
    "Layers near the end of the network often matter less than you would guess.",
    "She said: \"Measure twice, prune once.\"",
    "Why does the loss go up when the learning rate goes down?",
    "It was late; the build had failed again, and nobody knew why.",
    "Tokenizers split text into pieces before any merges happen.",
    "UPPERCASE WORDS AND lowercase words AND MiXeD CaSe words.",
    "e.g. i.e. etc. vs. Dr. Mr. Mrs. St.",
    "one-to-one, state-of-the-art, well-known",
    "The end",
    "a",
    "I",
    "Hello world",
    "hello",
    " Hello",
    "Hello ",
    "HELLO",
    "The first line.\nThe second line.\n\nA new paragraph.",
    "Ends with a newline\n",
    "Question? Answer! Statement. Ellipsis...",
    "Supercalifragilistic expialidocious words are rare.",
    "Lorem-free placeholder text, written for this test only.",
    "Attention is computed per head; heads are then concatenated.",
    "Keep it simple, keep it short, keep it tested.",
    "An apple a day; a layer a day.",
    "Version 2 of the plan replaces version 1.",
    "(parenthesised) [bracketed] {braced} <angled>",
]

NUMBERS = [
    "Hello world! 123",
    "3.14159",
    "1,000,000",
    "+1 (555) 010-0199",
    "555-0123",
    "2024-06-30T12:34:56Z",
    "0",
    "00000",
    "1234567890",
    "12345678901234567890123456789012345678901234567890",
    "-42",
    "1e-5",
    "6.02e23",
    "$19.99",
    "50%",
    "v1.2.3",
    "x86_64",
    "The year 1999 and the year 2000.",
    "Room 101, floor 7",
    "0x1F 0b1010 0o777",
    "1/2 3/4",
    "route 66",
    "abc123def456",
    "1st 2nd 3rd 4th",
    "10:30 pm",
    "  42  ",
    "a1b2c3",
]

WHITESPACE = [
    "  multiple   spaces",
    "a   b",
    "a b",
    "a  b",
    "    indented with four spaces",
    "trailing spaces    ",
    "   ",
    " ",
    "\n",
    "\n\n",
    "\n\n\n\n",
    "\t",
    "\t\tdouble tab",
    "tab\tseparated\tvalues",
    "line one\r\nline two\r\n",
    "\r\n",
    "\r",
    "mixed \t \n whitespace",
    " \n ",
    "word\n  indented continuation",
    "a\n\nb",
    "space before newline \nnext",
    "end with spaces and newline  \n",
    "\t leading tab then space",
    "  \t\n  ",
]

PUNCTUATION = [
    "!!!",
    "???!!!...",
    "--- *** ___",
    "\"quoted\" 'single'",
    "a,b;c:d",
    "~`@#$%^&*()_+-=",
    "<<>> [[ ]] {{ }}",
    "...",
    "!?",
    "#hashtag @mention",
    "email@example.com",
    "https://example.org/path?q=1&r=two#frag",
    "C:\\Windows\\System32",
    "/usr/local/bin",
    "smile :-) wink ;-)",
]

CONTRACTIONS = [
    "it's",
    "don't",
    "we're",
    "they've",
    "I'm",
    "you'll",
    "she'd",
    "IT'S",
    "DON'T",
    "We'Re",
    "I'M fine, YOU'LL see",
    "the dog's bone",
    "rock 'n' roll",
    "'s 't 're 've 'm 'll 'd",
    "'S 'T 'RE 'VE 'M 'LL 'D",
    "o'clock",
    "can\u2019t",
    "''",
]

CJK_AND_SCRIPTS = [
    "\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002",                  # Chinese
    "\u6211\u559c\u6b22\u5b66\u4e60\u8bed\u8a00\u6a21\u578b",      # Chinese
    "\u3053\u3093\u306b\u3061\u306f\u3001\u4e16\u754c\uff01",      # Japanese hiragana + kanji
    "\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089\u304c\u306a",      # katakana and hiragana
    "\u6771\u4eac\u306f\u5927\u304d\u3044\u3067\u3059\u3002",
    "\uc548\ub155\ud558\uc138\uc694",                              # Korean
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4.",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",  # Arabic
    "\u0627\u0644\u0639\u062f\u062f \u0663\u0664\u0665",                          # Arabic with Arabic-Indic digits
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",  # Hindi
    "\u0939\u093f\u0928\u094d\u0926\u0940 \u0967\u0968\u0969",                    # Hindi with Devanagari digits
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",                          # Hebrew
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!",                  # Russian
    "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u03ba\u03cc\u03c3\u03bc\u03b5",  # Greek
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",              # Thai
    "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0",                    # Georgian
    "\u1200\u1208\u1218",                                                        # Ethiopic
    "\U00020000\U0002a6d6",                                                      # CJK extension B (4-byte UTF-8)
    "\u4e2d\u6587English\u6df7\u5408",                                          # mixed
]

ACCENTS = [
    "Caf\u00e9 d\u00e9j\u00e0 vu.",
    "na\u00efve r\u00e9sum\u00e9",
    "Cafe\u0301 with a combining acute",
    "e\u0301e\u0300e\u0302e\u0308",
    "\u00c5ngstr\u00f6m",
    "A\u030a",
    "Stra\u00dfe und Gr\u00fc\u00dfe",
    "\u0141\u00f3d\u017a, Pozna\u0144",
    "\u0130stanbul \u0131\u0131",
    "\u01c4 \u01c5 \u01c6",
    "z\u0351\u0352\u0353\u0354 zalgo-ish",
    "\u1e9e\u00df",
    "\ufb01 ligature \ufb02",
]

EMOJI = [
    "\U0001F600",
    "I love it \u2764\ufe0f",
    "\U0001F44D\U0001F3FD thumbs",
    "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466 family",
    "\U0001F3F3\ufe0f\u200d\U0001F308",
    "\U0001F1EB\U0001F1F7 \U0001F1EF\U0001F1F5 flags",
    "\U0001F9D1\u200d\U0001F4BB coding",
    "#\ufe0f\u20e3 1\ufe0f\u20e3",
    "\u263a\u2639",
    "\U0001F600\U0001F601\U0001F602\U0001F603",
    "emoji\U0001F680rocket",
    "\u2b50 star \u2728",
]

CODE = [
    "def add(a, b):\n    return a + b\n",
    "for i in range(10):\n\tprint(i)",
    "if __name__ == \"__main__\":\n    main()",
    "int main() { return 0; }",
    "std::vector<int> v{1, 2, 3};\nfor (auto& x : v) x *= 2;",
    "#include <iostream>\n",
    "template <typename T>\nT max(T a, T b) { return a > b ? a : b; }",
    "{\"name\": \"avss\", \"layers\": [0, 1, 2], \"ok\": true}",
    "<div class=\"box\"><p>Hi</p></div>",
    "<!DOCTYPE html>",
    "SELECT id, name FROM users WHERE age >= 18;",
    "x = [i**2 for i in range(5) if i % 2 == 0]",
    "a->b; c::d; e=>f; g!=h; i<=j; k>=l; m&&n || o",
    "// comment\n/* block */",
    "$ ./build.sh --jobs=2 && ctest -L unit",
    "git commit -m 'fix: tokenizer'",
    "    if (x) {\n        y();\n    }\n",
    "lambda x: x['key']",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "key: value\nlist:\n  - one\n  - two",
    "__init__ __dunder__ _private",
    "camelCaseIdentifier snake_case_identifier SCREAMING_CASE",
]

SPECIAL_TEXT = [
    "<|im_start|>user\nHi<|im_end|>",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>",
    "<|endoftext|><|endoftext|>",
    "text<|endoftext|>more text",
    "<|im_start|>",
    "<|im_start",
    "im_start|>",
    "<|im_end|",
    "<|im_start|><|im_end|>",
    "< |im_start| >",
    "<|IM_START|>",
    "<repo_name>avss<file_sep>main.cpp",
    "<jupyter_code>print(1)<jupyter_output>1<empty_output>",
    "<filename>a.py<gh_stars>10",
    "<issue_start>bug<issue_comment>fixed<issue_closed>",
    "<jupyter_start><jupyter_text>md<jupyter_script>",
    " <|im_end|> ",
    "<<|im_end|>>",
    "<|im_end|>\n",
    "<|unknown_token|>",
    "<reponame>x",
]

OTHER_NUMERIC = [
    "x\u00b2 + y\u00b2 = z\u00b2",
    "\u00bd cup and \u00be teaspoon",
    "Chapter \u216b",
    "\u2160 \u2161 \u2162 \u2163",
    "\u0663\u0664",
    "\uff15\uff10\uff10\u5186",
    "H\u2082O and CO\u2082",
    "\u2460\u2461\u2462",
    "\u00b9\u00b2\u00b3",
    "\u0967\u0968",
    "\u3007\u4e00\u4e8c\u4e09",
    " \u00bd",
    "a\u00b2b",
    "\U0001D7D8\U0001D7D9",
    "\u2155\u2156",
]


def _whitespace_variants():
    """Each unusual space in six positions: probes which code points the regex's \\s accepts. "x  W"
    tells the engines apart: if W is whitespace, "  W" is one piece (BPE merges "ĠĠ"); if not, the
    lookahead leaves " " and " W"."""
    spaces = ["\u00a0", "\u2009", "\u3000", "\u0085", "\u000b", "\u000c", "\u180e", "\u2028", "\u2029",
              "\u200b", "\u1680", "\u202f", "\u205f", "\u001c", "\u001f", "\ufeff", "\u2007", "\u200a"]
    out = []
    for w in spaces:
        out += [f"a{w}b", f"a{w}{w} b", f"{w}x", f"x{w}", f"{w}!?", f"x  {w}"]
    return out


EDGE = [
    "",
    "a" * 1000,
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 20,
    "1234567890" * 50,
    " " * 500,
    "ab" * 300,
    "\n" * 64,
    "\u00e9" * 200,
    "\U0001F600" * 50,
    "x" + " " * 100 + "y",
    "Mixed \u0441\u043a\u0440\u0438\u043f\u0442\u044b and \u6f22\u5b57 with \u0639\u0631\u0628\u064a and 123",
    "Latin\u0410\u0411\u0412Cyrillic",
    "\u00ad soft hyphen\u00adinside",
    "zero\u200bwidth\u200cjoiner\u200dtest",
    "\ufffd replacement char",
    "\u0000 nul byte",
    "\u007f delete char",
    "\u0001\u0002\u0003 controls",
    "\u0004\u0006\u0013\u0014\u0016\u001d bytes missing from the vocabulary",
    "plane five \U00050000 and plane ten \U000A0000",
]


def test_strings():
    groups = [PROSE, NUMBERS, WHITESPACE, PUNCTUATION, CONTRACTIONS, CJK_AND_SCRIPTS, ACCENTS, EMOJI,
              CODE, SPECIAL_TEXT, OTHER_NUMERIC, _whitespace_variants(), EDGE]
    out = [s for g in groups for s in g]
    assert len(out) == len(set(out)), "duplicate test string"
    return out
