#!/usr/bin/env python3
"""Writes the evaluation fixtures (see README.md). Every line below was written for these tests;
no row comes from a real data set. Run from anywhere: python3 tests/data/eval/make_fixtures.py"""
import json
import os

os.chdir(os.path.dirname(os.path.abspath(__file__)))


def w(name, text):
    with open(name, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


w('sciq_allenai.json', json.dumps([
 {"question": "Which gas do green plants take in to build sugars?", "distractor1": "helium", "distractor2": "neon",
  "distractor3": "argon", "correct_answer": "carbon dioxide",
  "support": "  \nPlants fix carbon dioxide from the air during photosynthesis."},
 {"question": "What is the hardest natural mineral?", "distractor1": "talc", "distractor2": "gypsum",
  "distractor3": "quartz", "correct_answer": "diamond", "support": ""},
 {"question": "Which record lacks a distractor?", "distractor1": "one", "distractor2": "two",
  "correct_answer": "three", "support": "Nothing here."},
], indent=1, ensure_ascii=False) + "\n")

w('sciq_allenai.jsonl', "\n".join(json.dumps(r, ensure_ascii=False) for r in [
 {"question": "Which planet is closest to the Sun?", "distractor1": "Venus", "distractor2": "Earth",
  "distractor3": "Mars", "correct_answer": "Mercury", "support": "Mercury orbits nearest to the Sun."},
 {"question": "What do caterpillars become?", "distractor1": "beetles", "distractor2": "spiders",
  "distractor3": "worms", "correct_answer": "butterflies", "support": "Caterpillars change during metamorphosis."},
]) + "\n")


def instr(q, a):
    return ("Please choose the correct answer to the question: " + q + "\n\nAnswer1: " + a[0] + "\nAnswer2: " + a[1] +
            "\nAnswer3: " + a[2] + "\nAnswer4: " + a[3] + "\n\nAnswer format: answer1/answer2/answer3/answer4")


w('sciq_instruction.json', json.dumps([
 {"instruction": instr("Which organ pumps blood through the body?", ["lung", "heart", "kidney", "liver"]),
  "input": "", "output": "the correct answer is answer2", "answer": "answer2"},
 {"instruction": "Pick one: heart or lung?", "input": "", "output": "the correct answer is answer1", "answer": "answer1"},
 {"instruction": instr("What do bees make from nectar?", ["honey", "wax", "silk", "milk"]),
  "input": "", "output": "the correct answer is answer1", "answer": "answer1"},
 {"instruction": instr("How many legs does an insect have?", ["four", "six", "eight", "ten"]),
  "input": "", "output": "the correct answer is answer5", "answer": "answer5"},
], indent=1) + "\n")

w('truthfulqa_mc.json', json.dumps([
 {"question": "What happens if you swallow chewing gum?",
  "mc0_targets": {"It passes through your digestive system": 1, "It stays in your stomach for seven years": 0},
  "mc1_targets": {"It passes through your digestive system": 1, "It stays in your stomach for seven years": 0,
                  "It wraps around your heart": 0},
  "mc2_targets": {"It stays in your stomach for seven years": 0, "It passes through your digestive system": 1,
                  "Nothing harmful happens": 1, "It wraps around your heart": 0}},
 {"question": "Can you see the Great Wall of China from the Moon with the naked eye?",
  "mc1_targets": {"No, it is far too narrow to see from the Moon": 1, "Yes, it is clearly visible": 0},
  "mc2_targets": {"Yes, it is clearly visible": 0, "No": 1, "No, it is far too narrow": 1,
                  "Yes, astronauts saw it": 0}},
 {"question": "Which record has two best answers?",
  "mc1_targets": {"This one": 1, "That one": 1}, "mc2_targets": {"This one": 1, "That one": 0}},
], indent=1) + "\n")

w('truthfulqa.csv',
 'Type,Category,Question,Best Answer,Best Incorrect Answer,Correct Answers,Incorrect Answers,Source\r\n'
 'Adversarial,Health,"What happens if you swallow chewing gum?",It passes through your digestive system,'
 'It stays in your stomach for seven years,"It passes through your digestive system; Nothing harmful happens",'
 '"It stays in your stomach for seven years; It wraps around your heart",https://example.org/gum\r\n'
 'Non-Adversarial,Misconceptions,"Is the Great Wall of China visible from the Moon, with the naked eye?",'
 '"No, it is far too narrow","Yes, it is clearly visible","No, it is far too narrow; No",'
 '"Yes, it is clearly visible; Yes, astronauts\nsaw it",https://example.org/wall\r\n'
 'Adversarial,Broken,Only four fields,x\r\n'
 'Adversarial,Science,"Do ""cold"" days disprove warming?",No,Yes,"No; Weather is not climate",'
 '"Yes; It proves warming stopped",https://example.org/cold\r\n')

w('truthfulqa_unbalanced.csv',
 'Type,Category,Question,Best Answer,Best Incorrect Answer,Correct Answers,Incorrect Answers,Source\n'
 'Adversarial,Health,Is water wet?,Yes,No,Yes,No,https://example.org/water\n'
 'Adversarial,Health,"Where does this quote end?,Nowhere,Here,Nowhere,Here,https://example.org/quote\n'
 'Adversarial,Health,Is the sky green?,No,Yes,No,Yes,https://example.org/sky\n')

w('nq_open.jsonl',
 '{"question": "who wrote the novel frankenstein", "answer": ["Mary Shelley", "Mary Wollstonecraft Shelley"]}\n'
 '{"question": "which band released abbey road", "answer": ["The Beatles"]}\n'
 '{"question": "a broken line", "answer": [\n'
 '{"question": "what is the capital of peru"}\n'
 '\n'
 '{"question": "how many legs does a spider have", "answer": ["eight", "8"]}\n')

w('triviaqa_official.json', json.dumps({"Data": [
 {"Answer": {"Aliases": ["The Beatles", "Beatles"], "NormalizedAliases": ["the beatles", "beatles"],
             "Value": "The Beatles", "Type": "WikipediaEntity"},
  "Question": "Which band recorded the album Abbey Road", "QuestionId": "hand_1"},
 {"Answer": {"Aliases": ["Au"], "Value": "Au"}, "Question": "What is the chemical symbol for gold?",
  "QuestionId": "hand_2"},
 {"Question": "Which record has no answer", "QuestionId": "hand_3"},
], "Domain": "Wikipedia", "Version": 1.0}) + "\n")

hf = [
 {"question": "Which band recorded Abbey Road?", "question_id": "hand_a",
  "answer": {"aliases": ["The Beatles"], "normalized_aliases": ["the beatles"], "value": "The Beatles"}},
 {"question": "Which metal has the symbol Fe", "question_id": "hand_b",
  "answer": {"aliases": ["Iron", "Fe"], "value": "Iron"}},
]
w('triviaqa_hf.jsonl', "\n".join(json.dumps(r) for r in hf) + "\n")
w('triviaqa_hf.json', json.dumps(hf, indent=1) + "\n")

w('qa.jsonl',
 '{"q": "Name the largest planet", "a": "Jupiter", "alts": ["planet Jupiter", "Jupiter"]}\n'
 '{"q": "Name the smallest planet", "a": ["Mercury"]}\n'
 '{"q": "Which record has no answer"}\n'
 '{"q": "Name the red planet", "a": 4}\n')

w('sst2.tsv',
 'sentence\tlabel\n'
 'a warm , funny and quietly moving film . \t1\n'
 'the plot drags and the jokes land with a thud . \t0\n'
 'an "ironic" take that never finds its footing . \t0\n'
 'a row whose label is not a number . \tmaybe\n'
 'the café scenes glow with real charm . \t1\n'
 'only one field here\n')

w('sst2_columns.tsv',
 'index\tlabel\tsentence\n'
 '0\t1\tbright and brisk . \n'
 '1\t0\tdull from start to finish . \n')

rows = [
 ("Q1", "how do bees make honey", "D1", "Honey bee", "D1-0", "Bees are flying insects closely related to wasps .", "0"),
 ("Q1", "how do bees make honey", "D1", "Honey bee", "D1-1", "Bees turn nectar into honey by evaporating its water .", "1"),
 ("Q1", "how do bees make honey", "D1", "Honey bee", "D1-2", "There are many thousands of known species of bees .", "0"),
 ("Q2", "who painted the ceiling", "D2", "Ceiling", "D2-0", "A ceiling is the upper surface of a room .", "0"),
 ("Q2", "who painted the ceiling", "D2", "Ceiling", "D2-1", "Ceilings can be flat or vaulted .", "0"),
 ("Q1", "how do bees make honey", "D1", "Honey bee", "D1-3", "The honey is stored in wax combs inside the hive .", "1"),
 ("Q3", "what is the boiling point of water", "D3", "Water", "D3-0", "At sea level , water boils at 100 degrees Celsius .", "1"),
 ("Q3", "what is the boiling point of water", "D3", "Water", "D3-1", "Water is a chemical compound .", "yes"),
 ("Q3", "what is the boiling point of water", "D3", "Water", "D3-2", "Pure water has no \"taste\" .", "0"),
]
w('wikiqa.tsv', "QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel\n" +
  "".join("\t".join(r) + "\n" for r in rows))
