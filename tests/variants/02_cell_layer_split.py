"""Known submissions for 02_cell_layer_split, as patches over the perfect student.

Grade ids: CELL = test_rnn_cell, LAYER = test_rnn_layer, COPY = test_copy_weights,
KCELL = test_keras_rnn_cell.
"""

from testing.variants import Patch, alternative, disguised, mutant

CELL, LAYER = "test_rnn_cell", "test_rnn_layer"
COPY, KCELL = "test_copy_weights", "test_keras_rnn_cell"

MUTANTS = [
    mutant(
        "cell_tanh", "the cell uses tanh instead of relu",
        {CELL},
        Patch("rnn_cell", old="tf.nn.relu(", new="tf.tanh("),
        hint="with tanh, Keras' default activation",
    ),
    mutant(
        "cell_ignores_state", "the cell feeds zeros to fcHH instead of the previous state",
        {CELL},
        Patch("rnn_cell", old="self.fcHH(h)", new="self.fcHH(tf.zeros_like(h))"),
        hint="with W_h = 0",
    ),
    mutant(
        "layer_global_x_shape", "the loop takes batch and length from the notebook's global x",
        {LAYER},
        Patch("rnn_layer", old="batch, length = tf.shape(x_all)[0], x_all.shape[1]",
              new="batch, length, emb_size = x.shape"),
    ),
    mutant(
        "layer_state_not_carried", "every step gets the initial state, not the previous one",
        {LAYER},
        Patch("rnn_layer", old="h = self.rnn_cell(x_all[:, t, :], h)\n            states.append(h)",
              new="h_t = self.rnn_cell(x_all[:, t, :], h)\n            states.append(h_t)"),
        hint="every step gets the zero start state",
    ),
    mutant(
        "layer_learnable_initial_state",
        "the layer keeps a weight of its own (a learnable initial state, zero at first)",
        {LAYER},
        Patch("rnn_layer", old="self.rnn_cell = RNNCell(h_size)",
              new='self.rnn_cell = RNNCell(h_size)\n'
                  '        self.h0 = self.add_weight(shape=(1, h_size), initializer="zeros")'),
        Patch("rnn_layer", old="h = tf.zeros((batch, self.h_size))",
              new="h = tf.tile(self.h0, [batch, 1])"),
        hint="outside rnn_cell",
    ),
    mutant(
        "layer_time_major_output", "stacks the states along axis 0: (length, batch, h_size)",
        {LAYER},
        Patch("rnn_layer", old="tf.stack(states, axis=1)", new="tf.stack(states)"),
        hint="stack the states along axis 1",
    ),
    mutant(
        "copy_bias_not_copied", "copies both kernels but forgets the bias",
        {COPY},
        Patch("copy_weights", old="    cell.fcXH.bias.assign(bias)\n", new=""),
        hint="assign the bias too",
    ),
    mutant(
        "copy_recurrent_transposed", "transposes the recurrent kernel on the way in",
        {COPY},
        Patch("copy_weights", old="cell.fcHH.kernel.assign(recurrent_kernel)",
              new="cell.fcHH.kernel.assign(recurrent_kernel.T)"),
        hint="holds the recurrent_kernel transposed",
    ),
    mutant(
        "kcell_weight_order", "creates recurrent_kernel before kernel, so set_weights misfills",
        {KCELL},
        Patch("keras_rnn_cell",
              old='        self.kernel = self.add_weight(shape=(emb, self.units), name="kernel")\n',
              new=""),
        Patch("keras_rnn_cell", old="        self.bias = self.add_weight(",
              new='        self.kernel = self.add_weight(shape=(emb, self.units), name="kernel")\n'
                  "        self.bias = self.add_weight("),
    ),
    mutant(
        "kcell_tanh", "the Keras-protocol cell uses tanh instead of relu",
        {KCELL},
        Patch("keras_rnn_cell", old="tf.nn.relu(", new="tf.tanh("),
        hint="with tanh, Keras' default activation",
    ),
    mutant(
        "kcell_ignores_state", "the Keras-protocol cell never uses the previous state",
        {KCELL},
        Patch("keras_rnn_cell", old=" + tf.matmul(h_prev, self.recurrent_kernel)", new=""),
        hint="with recurrent_kernel = 0",
    ),
    mutant(
        "kcell_wraps_simple_rnn_cell",
        "creates the three weights but computes with a wrapped keras SimpleRNNCell",
        {KCELL},
        Patch("keras_rnn_cell", old="        self.state_size = units\n",
              new="        self.state_size = units\n"
                  '        self.inner = keras.layers.SimpleRNNCell(units, activation="relu")\n'),
        Patch("keras_rnn_cell", old="        h_prev = states[0]\n",
              new="        return self.inner(inputs, states)\n"),
    ),
]

ALTERNATIVES = [
    alternative(
        "ops_unstack_set_weights",
        "keras.ops in both cells, tf.unstack over time with a transpose at the end, and a copy "
        "that builds the whole layer by calling it, then uses set_weights",
        Patch("rnn_cell", old="return tf.nn.relu(self.fcXH(x) + self.fcHH(h))",
              new="return keras.ops.relu(keras.ops.add(self.fcXH(x), self.fcHH(h)))"),
        Patch("rnn_layer", new='''
class RNNLayer(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.rnn_cell = RNNCell(h_size)

    def call(self, x_all):
        h = tf.zeros((tf.shape(x_all)[0], self.h_size), dtype=x_all.dtype)
        outputs = []
        for x_t in tf.unstack(x_all, axis=1):
            h = self.rnn_cell(x_t, h)
            outputs.append(h)
        return tf.transpose(tf.stack(outputs), perm=[1, 0, 2])
'''),
        Patch("copy_weights", new='''
def copy_simple_rnn_weights(keras_rnn, layer):
    kernel, recurrent_kernel, bias = keras_rnn.get_weights()
    layer(tf.zeros((1, 2, kernel.shape[0])))
    layer.rnn_cell.fcXH.set_weights([kernel, bias])
    layer.rnn_cell.fcHH.set_weights([recurrent_kernel])
'''),
        Patch("keras_rnn_cell", new='''
class KerasRNNCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform")
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel",
                                                shape=(self.units, self.units),
                                                initializer="orthogonal")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs, states):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        z = keras.ops.matmul(inputs, self.kernel) + keras.ops.matmul(prev, self.recurrent_kernel)
        h = keras.ops.relu(z + self.bias)
        return h, [h]
'''),
    ),
    alternative(
        "tensorarray_tf_function_build",
        "a tf.function step inside the cell (it retraces for every new shape, and TF logs "
        "that), a TensorArray loop; the copy calls build() on the layer (Keras warns on "
        "stderr that RNNLayer has no build method) and builds each Dense layer directly",
        Patch("rnn_cell", new='''
@tf.function
def relu_of_sum(a, b):
    return tf.nn.relu(a + b)


class RNNCell(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.fcXH = keras.layers.Dense(h_size)
        self.fcHH = keras.layers.Dense(h_size, use_bias=False)

    def call(self, x, h):
        return relu_of_sum(self.fcXH(x), self.fcHH(h))
'''),
        Patch("rnn_layer", new='''
class RNNLayer(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.rnn_cell = RNNCell(h_size)

    def call(self, x_all):
        x_all = tf.convert_to_tensor(x_all)
        h = tf.zeros([tf.shape(x_all)[0], self.h_size])
        states = tf.TensorArray(tf.float32, size=x_all.shape[1])
        for t in range(x_all.shape[1]):
            h = self.rnn_cell(x_all[:, t], h)
            states = states.write(t, h)
        return tf.transpose(states.stack(), [1, 0, 2])
'''),
        Patch("copy_weights", new='''
def copy_simple_rnn_weights(keras_rnn, layer):
    simple = keras_rnn.cell
    emb = simple.kernel.shape[0]
    layer.build((None, None, emb))
    cell = layer.rnn_cell
    if not cell.fcXH.built:
        cell.fcXH.build((None, emb))
    if not cell.fcHH.built:
        cell.fcHH.build((None, cell.h_size))
    cell.fcXH.kernel.assign(simple.kernel)
    cell.fcXH.bias.assign(simple.bias)
    cell.fcHH.kernel.assign(simple.recurrent_kernel)
'''),
        Patch("keras_rnn_cell", new='''
class KerasRNNCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        emb = int(input_shape[-1])
        self.kernel = self.add_weight(shape=(emb, self.units))
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs, states):
        (h_prev,) = states
        z = tf.einsum("be,eu->bu", inputs, self.kernel) + h_prev @ self.recurrent_kernel
        h = tf.nn.relu(tf.nn.bias_add(z, self.bias))
        return h, [h]
'''),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "keras_simple_rnn_cell_from_vars",
        "RNNCell.call looks Keras' SimpleRNNCell up in vars(keras.layers) and runs one step of "
        "it, loaded with the cell's own fcXH and fcHH weights on every call",
        {CELL: "SimpleRNNCell"},
        Patch("rnn_cell", old="        return tf.nn.relu(self.fcXH(x) + self.fcHH(h))",
              new="""        emb = x.shape[-1]
        if not self.fcXH.built:  # the checks read and set these Dense weights
            self.fcXH.build((None, emb))
            self.fcHH.build((None, self.h_size))
        step = vars(keras.layers)["SimpleRNN" + "Cell"](self.h_size, activation="relu")
        step.build((None, emb))
        step.set_weights([self.fcXH.kernel.numpy(), self.fcHH.kernel.numpy(),
                          self.fcXH.bias.numpy()])
        return step(x, [h])[0]"""),
    ),
    disguised(
        "keras_cell_by_built_name",
        "KerasRNNCell.call builds Keras' SimpleRNNCell through getattr with a joined name and "
        "hands it the step, loaded with the cell's own kernel, recurrent_kernel and bias",
        {KCELL: "SimpleRNNCell"},
        Patch("keras_rnn_cell",
              old="""        h_prev = states[0]
        h = tf.nn.relu(tf.matmul(inputs, self.kernel) + tf.matmul(h_prev, self.recurrent_kernel)
                       + self.bias)
        return h, [h]""",
              new="""        make_cell = getattr(keras.layers, "Simple" + "RNN" + "Cell")
        step = make_cell(self.units, activation="relu")
        step.build(inputs.shape)
        # the weights as they are now: the checks assign new values between calls
        step.set_weights([self.kernel.numpy(), self.recurrent_kernel.numpy(),
                          self.bias.numpy()])
        return step(inputs, states)"""),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_layer_state_not_carried",
    "typical_bug_2": "mutant_copy_recurrent_transposed",
    "different_but_right": "alt_ops_unstack_set_weights",
}
