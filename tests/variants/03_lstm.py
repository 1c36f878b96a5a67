"""Known submissions for 03_lstm, as patches over the perfect student.

Grade ids: L = test_lstm_cell, Y = test_lstm_layer, W = test_copy_weights.
"""

from testing.variants import Patch, alternative, disguised, mutant

L, Y, W = "test_lstm_cell", "test_lstm_layer", "test_copy_weights"

MUTANTS = [
    mutant(
        "candidate_sigmoid", "squashes the candidate memory with a sigmoid instead of tanh",
        {L},
        Patch("lstm_cell", old="candidate = tf.tanh(", new="candidate = tf.sigmoid("),
        hint="with a sigmoid candidate",
    ),
    mutant(
        "output_without_tanh", "outputs o * c, forgetting to squash the memory",
        {L},
        Patch("lstm_cell", old="h = o * tf.tanh(c)", new="h = o * c"),
        hint="h = o * tanh(c)",
    ),
    mutant(
        "forget_gate_unused", "adds the new memory to the old one without the forget gate",
        {L},
        Patch("lstm_cell", old="c = f * c + i * candidate", new="c = c + i * candidate"),
        hint="with a forget gate of 1",
    ),
    mutant(
        "gate_mixup", "uses the forget gate's Dense layers for the input gate too",
        {L},
        Patch("lstm_cell", old="i = tf.sigmoid(self.fcXI(x) + self.fcHI(h))",
              new="i = tf.sigmoid(self.fcXF(x) + self.fcHF(h))"),
        hint="never used fcXI",
    ),
    mutant(
        "cell_delegates_to_keras", "wraps keras.layers.LSTMCell instead of the eight Dense layers",
        {L},
        Patch("lstm_cell", old="(h, c), each (batch, h_size).\"\"\"\n",
              new="(h, c), each (batch, h_size).\"\"\"\n"
                  "        if not hasattr(self, 'inner'):\n"
                  "            self.inner = keras.layers.LSTMCell(self.h_size)\n"
                  "        h, (_, c) = self.inner(x, [h, c])\n"
                  "        return h, c\n"),
    ),
    mutant(
        "memory_not_carried", "carries h from step to step but restarts every step from zero c",
        {Y},
        Patch("lstm_layer", old="h, c = self.cell(x_all[:, t, :], h, c)",
              new="h, _ = self.cell(x_all[:, t, :], h, c)"),
        hint="with a forget gate of 0",
    ),
    mutant(
        "returns_memory", "collects the cell state c instead of the output h",
        {Y},
        Patch("lstm_layer", old="outputs.append(h)", new="outputs.append(c)"),
        hint="they are the cell states c",
    ),
    mutant(
        "random_initial_state", "starts from a random h and c instead of zeros",
        {Y},
        Patch("lstm_layer", old="h = tf.zeros((batch, self.h_size))\n"
                                "        c = tf.zeros((batch, self.h_size))",
              new="h = tf.random.normal((batch, self.h_size))\n"
                  "        c = tf.random.normal((batch, self.h_size))"),
        hint="h and c both start from zeros",
    ),
    mutant(
        "time_major_output", "stacks the outputs along axis 0: (length, batch, h_size)",
        {Y},
        Patch("lstm_layer", old="tf.stack(outputs, axis=1)", new="tf.stack(outputs)"),
        hint="stack the outputs along axis 1",
    ),
    mutant(
        "layer_delegates_to_keras", "keeps a keras LSTM next to the cell and returns its output",
        {Y},
        Patch("lstm_layer", old="        self.cell = LSTMCell(h_size)\n",
              new="        self.cell = LSTMCell(h_size)\n"
                  "        self.inner = keras.layers.LSTM(h_size, return_sequences=True)\n"),
        Patch("lstm_layer", old="(batch, length, h_size).\"\"\"\n",
              new="(batch, length, h_size).\"\"\"\n        return self.inner(x_all)\n"),
        hint="outside self.cell",
    ),
    mutant(
        "gate_order_ifoc", "takes Keras' blocks in the order i, f, o, c (the order of the equations"
        " in some papers) instead of i, f, c, o",
        {W},
        Patch("copy_weights", old="(cell.fcXC, cell.fcHC), (cell.fcXO, cell.fcHO)]",
              new="(cell.fcXO, cell.fcHO), (cell.fcXC, cell.fcHC)]"),
        hint="holds the output gate block instead",
    ),
    mutant(
        "bias_not_copied", "copies both kernels but leaves the biases at their initial zeros",
        {W},
        Patch("copy_weights", old="        fc_x.bias.assign(bias[block])\n", new=""),
        hint="assign each gate's block of the bias",
    ),
    mutant(
        "blocks_for_h_32", "cuts blocks 32 columns wide, the lesson's H_SIZE, whatever h is",
        {W},
        Patch("copy_weights", old="block = slice(k * h_size, (k + 1) * h_size)",
              new="block = slice(k * 32, (k + 1) * 32)"),
    ),
    mutant(
        "recurrent_blocks_transposed", "transposes each block of the recurrent kernel",
        {W},
        Patch("copy_weights", old="fc_h.kernel.assign(recurrent_kernel[:, block])",
              new="fc_h.kernel.assign(recurrent_kernel[:, block].T)"),
        hint="holds the block transposed",
    ),
    mutant(
        "copy_before_build", "assigns before a never-called layer has created its weights",
        {W},
        Patch("copy_weights",
              old="        if not fc_x.built:"
                  "  # a layer that never ran has no weights yet: create them\n"
                  "            fc_x.build((None, emb))\n"
                  "        if not fc_h.built:\n"
                  "            fc_h.build((None, h_size))\n",
              new=""),
    ),
]

ALTERNATIVES = [
    alternative(
        "split_and_set_weights",
        "keras.ops activations and one unstack loop; the copy splits the arrays with np.split and "
        "fills each Dense layer with set_weights after building the whole model",
        Patch("lstm_cell", old=None, new='''
class LSTMCell(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.fcXI = keras.layers.Dense(h_size)
        self.fcHI = keras.layers.Dense(h_size, use_bias=False)
        self.fcXF = keras.layers.Dense(h_size)
        self.fcHF = keras.layers.Dense(h_size, use_bias=False)
        self.fcXC = keras.layers.Dense(h_size)
        self.fcHC = keras.layers.Dense(h_size, use_bias=False)
        self.fcXO = keras.layers.Dense(h_size)
        self.fcHO = keras.layers.Dense(h_size, use_bias=False)

    def call(self, x, h, c):
        pre = [fx(x) + fh(h) for fx, fh in [(self.fcXI, self.fcHI), (self.fcXF, self.fcHF),
                                            (self.fcXC, self.fcHC), (self.fcXO, self.fcHO)]]
        i, f, o = (keras.ops.sigmoid(p) for p in (pre[0], pre[1], pre[3]))
        new_c = keras.ops.add(keras.ops.multiply(f, c),
                              keras.ops.multiply(i, keras.ops.tanh(pre[2])))
        return o * keras.ops.tanh(new_c), new_c
'''),
        Patch("lstm_layer", old=None, new='''
class LSTM(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.cell = LSTMCell(h_size)

    def call(self, x_all):
        h = c = tf.zeros(tf.stack([tf.shape(x_all)[0], self.h_size]))
        hs = []
        for x_t in tf.unstack(x_all, axis=1):
            h, c = self.cell(x_t, h, c)
            hs += [h]
        return tf.transpose(tf.stack(hs), [1, 0, 2])
'''),
        Patch("copy_weights", old=None, new='''
def copy_lstm_weights(keras_lstm, my_lstm):
    kernel, recurrent_kernel, bias = keras_lstm.get_weights()
    my_lstm(np.zeros((1, 2, kernel.shape[0]), dtype="float32"))
    cell = my_lstm.cell
    kx, kh, kb = (np.split(a, 4, axis=-1) for a in (kernel, recurrent_kernel, bias))
    for n, gate in enumerate("IFCO"):
        getattr(cell, "fcX" + gate).set_weights([kx[n], kb[n]])
        getattr(cell, "fcH" + gate).set_weights([kh[n]])
'''),
    ),
    alternative(
        "tf_split_and_while_index",
        "a while loop over an index with tf.split on the keras variables, assigned from the "
        "layer's cell attributes; building the cell's Dense layers one by one",
        Patch("lstm_layer", old=None, new='''
class LSTM(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.cell = LSTMCell(h_size)

    def call(self, x_all):
        x_all = tf.convert_to_tensor(x_all)
        h = tf.zeros_like(x_all[:, 0, :1]) * tf.zeros((1, self.h_size))
        c = tf.identity(h)
        t, out = 0, []
        while t < x_all.shape[1]:
            h, c = self.cell(x_all[:, t], h, c)
            out.append(h[:, None, :])
            t += 1
        return tf.concat(out, axis=1)
'''),
        Patch("copy_weights", old=None, new='''
def copy_lstm_weights(keras_lstm, my_lstm):
    source = keras_lstm.cell
    emb = source.kernel.shape[0]
    h_size = my_lstm.h_size
    kernels = tf.split(source.kernel, 4, axis=1)
    recurrents = tf.split(source.recurrent_kernel, 4, axis=1)
    biases = tf.split(source.bias, 4)
    cell = my_lstm.cell
    for gate, k, r, b in zip("IFCO", kernels, recurrents, biases):
        fc_x, fc_h = getattr(cell, f"fcX{gate}"), getattr(cell, f"fcH{gate}")
        if not fc_x.built:
            fc_x.build((None, emb))
        if not fc_h.built:
            fc_h.build((None, h_size))
        fc_x.kernel.assign(k)
        fc_x.bias.assign(b)
        fc_h.kernel.assign(r)
'''),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "keras_lstm_cell_from_vars",
        "LSTMCell.call looks Keras' LSTMCell up in vars(keras.layers), packs the eight Dense "
        "layers' weights into its kernel, recurrent_kernel and bias, and runs one step of it",
        {L: "LSTMCell"},
        Patch("lstm_cell",
              old="""        i = tf.sigmoid(self.fcXI(x) + self.fcHI(h))
        f = tf.sigmoid(self.fcXF(x) + self.fcHF(h))
        candidate = tf.tanh(self.fcXC(x) + self.fcHC(h))
        o = tf.sigmoid(self.fcXO(x) + self.fcHO(h))
        c = f * c + i * candidate
        h = o * tf.tanh(c)
        return h, c""",
              new="""        emb = x.shape[-1]
        pairs = [(self.fcXI, self.fcHI), (self.fcXF, self.fcHF),  # Keras packs i, f, c, o
                 (self.fcXC, self.fcHC), (self.fcXO, self.fcHO)]
        for fc_x, fc_h in pairs:
            if not fc_x.built:  # the checks read and set these Dense weights
                fc_x.build((None, emb))
                fc_h.build((None, self.h_size))
        step = vars(keras.layers)["LST" + "MCell"](self.h_size, recurrent_activation="sigmoid")
        step.build((None, emb))
        step.set_weights([np.concatenate([fc_x.kernel.numpy() for fc_x, _ in pairs], axis=1),
                          np.concatenate([fc_h.kernel.numpy() for _, fc_h in pairs], axis=1),
                          np.concatenate([fc_x.bias.numpy() for fc_x, _ in pairs])])
        h, (_, c) = step(x, [h, c])
        return h, c"""),
    ),
    disguised(
        "keras_rnn_loop_by_built_name",
        "LSTM.call leaves the loop over time to Keras' RNN layer, built through getattr with a "
        "joined name around a small adapter that hands every step to self.cell",
        {Y: "RNN"},
        Patch("lstm_layer",
              old="""        batch, length = tf.shape(x_all)[0], x_all.shape[1]
        h = tf.zeros((batch, self.h_size))
        c = tf.zeros((batch, self.h_size))
        outputs = []
        for t in range(length):
            h, c = self.cell(x_all[:, t, :], h, c)
            outputs.append(h)
        return tf.stack(outputs, axis=1)  # (batch, length, h_size)""",
              new="""        cell, units = self.cell, self.h_size

        class Steps(keras.layers.Layer):  # the step Keras' loop wants, done by self.cell
            state_size = [units, units]

            def call(self, x, states):
                h, c = cell(x, states[0], states[1])
                return h, [h, c]

        loop = getattr(keras.layers, "R" + "NN")(Steps(), return_sequences=True)
        return loop(x_all)  # starts from zero h and c"""),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_forget_gate_unused",
    "typical_bug_2": "mutant_gate_order_ifoc",
    "different_but_right": "alt_split_and_set_weights",
}
