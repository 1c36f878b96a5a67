"""Known submissions for 01_simple_rnn, as patches over the perfect student.

Grade ids: S = test_rnn_layer_shapes, R = test_rnn_layer_recurrence, C = test_copy_weights.
"""

from testing.variants import Patch, alternative, disguised, mutant

S, R, C = "test_rnn_layer_shapes", "test_rnn_layer_recurrence", "test_copy_weights"

MUTANTS = [
    mutant(
        "global_x_shape",
        "takes batch and length from the notebook's global x, as the original course notebook did",
        {S, R, C},
        Patch("rnn_layer", old="batch, length = tf.shape(x_all)[0], x_all.shape[1]",
              new="batch, length, emb_size = x.shape"),
    ),
    mutant(
        "tanh_activation", "uses tanh, Keras' default, instead of the relu the layer asks for",
        {R},
        Patch("rnn_layer", old="tf.nn.relu(", new="tf.tanh("),
        hint="with tanh, Keras' default activation",
    ),
    mutant(
        "state_not_carried", "feeds every step the initial state instead of the previous one",
        {R},
        Patch("rnn_layer", old="h = self.RNN_cell(x_all[:, t, :], h)\n            states.append(h)",
              new="h_t = self.RNN_cell(x_all[:, t, :], h)\n            states.append(h_t)"),
        hint="every step starts from the zero state",
    ),
    mutant(
        "random_initial_state", "starts from a random state instead of zeros",
        {R},
        Patch("rnn_layer", old="h = tf.zeros((batch, self.h_size))",
              new="h = tf.random.normal((batch, self.h_size))"),
        hint="h0 all zeros",
    ),
    mutant(
        "time_major_output", "stacks the states along axis 0: (length, batch, h_size)",
        {S, R},
        Patch("rnn_layer", old="tf.stack(states, axis=1)", new="tf.stack(states)"),
        hint="stack them along axis 1",
    ),
    mutant(
        "squeezed_output", "squeezes the output, which drops every axis of size 1",
        {S},
        Patch("rnn_layer", old="return tf.stack(states, axis=1)",
              new="return tf.squeeze(tf.stack(states, axis=1))"),
        hint="without squeezing",
    ),
    mutant(
        "bias_not_copied", "copies both kernels but forgets the bias",
        {C},
        Patch("copy_weights", old="    layer.fcXH.bias.assign(bias)\n", new=""),
        hint="assign the bias too",
    ),
    mutant(
        "kernels_swapped", "puts the recurrent kernel into fcXH and the input kernel into fcHH",
        {C},
        Patch("copy_weights", old="layer.fcXH.kernel.assign(kernel)",
              new="layer.fcXH.kernel.assign(recurrent_kernel)"),
        Patch("copy_weights", old="layer.fcHH.kernel.assign(recurrent_kernel)",
              new="layer.fcHH.kernel.assign(kernel)"),
    ),
    mutant(
        "recurrent_kernel_transposed", "transposes the recurrent kernel on the way in",
        {C},
        Patch("copy_weights", old="layer.fcHH.kernel.assign(recurrent_kernel)",
              new="layer.fcHH.kernel.assign(recurrent_kernel.T)"),
        hint="holds the recurrent_kernel transposed",
    ),
    mutant(
        "copy_assumes_lesson_sizes", "builds the layer for the lesson's EMB_SIZE, not the kernel's",
        {C},
        Patch("copy_weights", old="kernel.shape[0]", new="EMB_SIZE"),
    ),
    mutant(
        "copy_before_build", "assigns before the layer has created its weights",
        {C},
        Patch("copy_weights",
              old='    layer(np.zeros((1, 1, kernel.shape[0]), dtype="float32"))'
                  '  # creates the Dense weights\n',
              new=""),
    ),
    mutant(
        "delegates_to_keras", "wraps keras' SimpleRNN instead of computing with fcXH and fcHH",
        {R, C},
        Patch("rnn_layer", new='''
class RNNLayer(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.fcXH = keras.layers.Dense(h_size)
        self.fcHH = keras.layers.Dense(h_size, use_bias=False)
        self.inner = keras.layers.SimpleRNN(h_size, activation="relu", return_sequences=True)

    def RNN_cell(self, x, h):
        return tf.nn.relu(self.fcXH(x) + self.fcHH(h))

    def call(self, x_all):
        return self.inner(x_all)
'''),
        Patch("copy_weights", new='''
def copy_simple_rnn_weights(keras_rnn, layer):
    layer(np.zeros((1, 1, keras_rnn.get_weights()[0].shape[0]), dtype="float32"))
    layer.inner.set_weights(keras_rnn.get_weights())
'''),
    ),
]

ALTERNATIVES = [
    alternative(
        "unstack_ops_set_weights",
        "tf.unstack over time, keras.ops maximum, transpose at the end; the copy builds the "
        "model with build() (Keras warns on stderr that RNNLayer has no build method), then "
        "calls it and copies with set_weights",
        Patch("rnn_layer", new='''
class RNNLayer(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.fcXH = keras.layers.Dense(h_size)
        self.fcHH = keras.layers.Dense(h_size, use_bias=False)

    def RNN_cell(self, x, h):
        return keras.ops.maximum(self.fcXH(x) + self.fcHH(h), 0.0)

    def call(self, x_all):
        h = tf.zeros((tf.shape(x_all)[0], self.h_size), dtype=x_all.dtype)
        outputs = []
        for x_t in tf.unstack(x_all, axis=1):
            h = self.RNN_cell(x_t, h)
            outputs.append(h)
        return tf.transpose(tf.stack(outputs), perm=[1, 0, 2])
'''),
        Patch("copy_weights", new='''
def copy_simple_rnn_weights(keras_rnn, layer):
    kernel, recurrent_kernel, bias = keras_rnn.get_weights()
    emb = kernel.shape[0]
    layer.build((None, None, emb))
    layer(tf.zeros((2, 3, emb)))
    layer.fcXH.set_weights([kernel, bias])
    layer.fcHH.set_weights([recurrent_kernel])
'''),
    ),
    alternative(
        "tensorarray_tf_function",
        "a tf.function step (it retraces for every new shape, and TF logs that), a TensorArray "
        "of states; the copy builds each Dense layer directly from the keras cell's variables",
        Patch("rnn_layer", new='''
@tf.function
def relu_of_sum(a, b):
    return tf.nn.relu(a + b)


class RNNLayer(keras.Model):
    def __init__(self, h_size):
        super().__init__()
        self.h_size = h_size
        self.fcXH = keras.layers.Dense(h_size)
        self.fcHH = keras.layers.Dense(h_size, use_bias=False)

    def RNN_cell(self, x, h):
        return relu_of_sum(self.fcXH(x), self.fcHH(h))

    def call(self, x_all):
        x_all = tf.convert_to_tensor(x_all)
        length = x_all.shape[1]
        h = tf.zeros([tf.shape(x_all)[0], self.h_size])
        states = tf.TensorArray(tf.float32, size=length)
        for t in range(length):
            h = self.RNN_cell(x_all[:, t], h)
            states = states.write(t, h)
        return tf.transpose(states.stack(), [1, 0, 2])
'''),
        Patch("copy_weights", new='''
def copy_simple_rnn_weights(keras_rnn, layer):
    cell = keras_rnn.cell
    if not layer.fcXH.built:
        layer.fcXH.build((None, cell.kernel.shape[0]))
    if not layer.fcHH.built:
        layer.fcHH.build((None, layer.h_size))
    layer.fcXH.kernel.assign(cell.kernel)
    layer.fcXH.bias.assign(cell.bias)
    layer.fcHH.kernel.assign(cell.recurrent_kernel)
'''),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "keras_simple_rnn_by_built_name",
        "RNNLayer.call builds Keras' SimpleRNN through getattr with a joined name, fed the "
        "student's own Dense weights on every call",
        {S: "SimpleRNN", R: "SimpleRNN"},
        Patch("rnn_layer",
              old="""        batch, length = tf.shape(x_all)[0], x_all.shape[1]
        h = tf.zeros((batch, self.h_size))
        states = []
        for t in range(length):
            h = self.RNN_cell(x_all[:, t, :], h)
            states.append(h)
        return tf.stack(states, axis=1)  # (batch, length, h_size)""",
              new="""        emb = x_all.shape[-1]
        if not self.fcXH.built:  # the checks read and set these Dense weights
            self.fcXH.build((None, emb))
            self.fcHH.build((None, self.h_size))
        # a fresh layer each call, loaded with whatever fcXH and fcHH hold now
        rnn = getattr(keras.layers, "".join(["Sim", "ple", "R", "NN"]))(
            self.h_size, activation="relu", return_sequences=True)
        rnn.build((None, None, emb))
        rnn.set_weights([self.fcXH.kernel.numpy(), self.fcHH.kernel.numpy(),
                         self.fcXH.bias.numpy()])
        return rnn(x_all)"""),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_global_x_shape",
    "typical_bug_2": "mutant_tanh_activation",
    "different_but_right": "alt_unstack_ops_set_weights",
}
