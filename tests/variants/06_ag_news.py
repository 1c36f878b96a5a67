"""Known submissions for 06_ag_news, as patches over the perfect student.

Grade ids: D = test_data_functions, V = test_vectorizer, R = test_rnn_classifier,
M = test_masked_rnn_classifier, B = test_lstm_classifiers.
"""

from testing.variants import Patch, alternative, mutant

D, V, R = "test_data_functions", "test_vectorizer", "test_rnn_classifier"
M, B = "test_masked_rnn_classifier", "test_lstm_classifiers"

COMPILE = ('model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", '
           'metrics=["accuracy"])')
LSTM_TAIL = ('keras.layers.LSTM(8),\n        keras.layers.Dense(4, activation="softmax"),\n'
             '    ])\n    ' + COMPILE)

MUTANTS = [
    mutant("text_without_space", "glues title and description together with no space", {D},
           Patch("data_functions", old='return x["title"] + " " + x["description"]',
                 new='return x["title"] + x["description"]'),
           hint="put one space between them"),
    mutant("title_pair_uses_text", "tupelize_title pairs the full text, not the title", {D},
           Patch("data_functions", old="return extract_title(x), x[\"label\"]",
                 new="return extract_text(x), x[\"label\"]"),
           hint="pair the title alone"),
    mutant("pair_reversed", "returns (label, text)", {D},
           Patch("data_functions", old="return extract_text(x), x[\"label\"]",
                 new="return x[\"label\"], extract_text(x)"),
           hint="the pair is the wrong way round"),
    mutant("adapt_on_first_2000", "adapts the vocabulary on the first 2,000 texts only", {V},
           Patch("vectorizer", old="vectorizer.adapt(texts.batch(512))",
                 new="vectorizer.adapt(texts.take(2000).batch(512))"),
           hint="adapt on every text"),
    mutant("vocabulary_not_capped", "forgets max_tokens, so the vocabulary has no limit", {V},
           Patch("vectorizer", old="keras.layers.TextVectorization(max_tokens=vocab_size)",
                 new="keras.layers.TextVectorization()"),
           hint="pass max_tokens=vocab_size"),
    mutant("rnn_32_units", "uses SimpleRNN(32)", {R},
           Patch("rnn_classifier", old="keras.layers.SimpleRNN(16)",
                 new="keras.layers.SimpleRNN(32)")),
    mutant("rnn_sigmoid_output", "ends in Dense(4, activation='sigmoid')", {R},
           Patch("rnn_classifier", old='Dense(4, activation="softmax")',
                 new='Dense(4, activation="sigmoid")')),
    mutant("rnn_logits", "outputs logits and compiles a from_logits loss", {R},
           Patch("rnn_classifier", old='Dense(4, activation="softmax")', new="Dense(4)"),
           Patch("rnn_classifier", old='loss="sparse_categorical_crossentropy"',
                 new="loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)")),
    mutant("rnn_not_compiled", "returns the model without compiling it", {R},
           Patch("rnn_classifier", old="    " + COMPILE + "\n", new="")),
    mutant("masked_without_mask_zero", "forgets mask_zero=True", {M},
           Patch("masked_rnn_classifier", old="Embedding(vocab_size, embed_size, mask_zero=True)",
                 new="Embedding(vocab_size, embed_size)")),
    mutant("masked_sgd", "compiles with plain SGD", {M},
           Patch("masked_rnn_classifier", old='optimizer="adam"', new='optimizer="sgd"')),
    mutant("lstm_16_units", "uses LSTM(16)", {B},
           Patch("lstm_classifiers", old="keras.layers.LSTM(8),", new="keras.layers.LSTM(16),")),
    mutant("lstm_without_metric", "compiles the LSTM without an accuracy metric", {B},
           Patch("lstm_classifiers", old=LSTM_TAIL,
                 new=LSTM_TAIL.replace(', metrics=["accuracy"]', "")),
           hint="compile with an accuracy metric"),
    mutant("bilstm_one_layer", "keeps a single bidirectional layer", {B},
           Patch("lstm_classifiers",
                 old="        keras.layers.Bidirectional(keras.layers.LSTM(64, "
                     "return_sequences=True)),\n",
                 new="")),
    mutant("bilstm_without_mask", "leaves the padding unmasked in the BiLSTM", {B},
           Patch("lstm_classifiers", old="Embedding(vocab_size, embed_size, mask_zero=True)",
                 new="Embedding(vocab_size, embed_size)")),
]

ALTERNATIVES = [
    alternative(
        "functional_models", "functional API instead of Sequential, with the model's own names",
        Patch("rnn_classifier",
              old="    model = keras.Sequential([\n"
                  "        keras.Input(shape=(1,), dtype=\"string\"),\n"
                  "        vectorizer,\n"
                  "        keras.layers.Embedding(vocab_size, embed_size),\n"
                  "        keras.layers.SimpleRNN(16),\n"
                  "        keras.layers.Dense(4, activation=\"softmax\"),\n"
                  "    ])\n",
              new="    text = keras.Input(shape=(1,), dtype=\"string\", name=\"text\")\n"
                  "    ids = vectorizer(text)\n"
                  "    vectors = keras.layers.Embedding(vocab_size, embed_size)(ids)\n"
                  "    state = keras.layers.SimpleRNN(16)(vectors)\n"
                  "    probabilities = keras.layers.Dense(4, activation=\"softmax\")(state)\n"
                  "    model = keras.Model(text, probabilities, name=\"rnn_classifier\")\n"),
    ),
    alternative(
        "strings_join_and_objects", "tf.strings.join, optimizer/loss/metric objects, 'acc'",
        Patch("data_functions", old='return x["title"] + " " + x["description"]',
              new='return tf.strings.join([x["title"], x["description"]], separator=" ")'),
        Patch("masked_rnn_classifier", old=COMPILE,
              new="model.compile(optimizer=keras.optimizers.Adam(1e-3),\n"
                  "                  loss=keras.losses.SparseCategoricalCrossentropy(),\n"
                  "                  metrics=[keras.metrics.SparseCategoricalAccuracy()])"),
        Patch("lstm_classifiers", old=LSTM_TAIL,
              new=LSTM_TAIL.replace('metrics=["accuracy"]', 'metrics=["acc"]')),
    ),
    alternative(
        "adapt_unbatched", "adapts on the dataset as given, one string at a time",
        Patch("vectorizer", old="vectorizer.adapt(texts.batch(512))",
              new="vectorizer.adapt(texts)"),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_text_without_space",
    "typical_bug_2": "mutant_masked_without_mask_zero",
    "different_but_right": "alt_functional_models",
}
