"""Known submissions for 04_torch_basic_rnn, as patches over the perfect student.

Grade ids: B = test_basic_rnn, S = test_seq_rnn, T = test_to_torch_rnn, C = test_clean_rnn.
"""

from testing.variants import Patch, alternative, disguised, mutant

B, S, T, C = "test_basic_rnn", "test_seq_rnn", "test_to_torch_rnn", "test_clean_rnn"

BASIC_INIT = (
    "        self.Wx = nn.Parameter(torch.randn(n_inputs, n_neurons))   # input -> state\n"
    "        self.Wy = nn.Parameter(torch.randn(n_neurons, n_neurons))  # state -> state\n"
    "        self.b = nn.Parameter(torch.zeros(1, n_neurons))\n"
)
SEQ_STEP = "h = torch.tanh(x_t @ self.Wx + h @ self.Wy + self.b)"

MUTANTS = [
    mutant(
        "plain_tensors", "keeps the weights as plain tensors, invisible to an optimizer",
        {B},
        Patch("basic_rnn", old=BASIC_INIT,
              new="        self.Wx = torch.randn(n_inputs, n_neurons)\n"
                  "        self.Wy = torch.randn(n_neurons, n_neurons)\n"
                  "        self.b = torch.zeros(1, n_neurons)\n"),
    ),
    mutant(
        "second_step_forgets", "computes Y1 from X1 alone, without Y0 @ Wy",
        {B},
        Patch("basic_rnn", old="Y1 = torch.tanh(Y0 @ self.Wy + X1 @ self.Wx + self.b)",
              new="Y1 = torch.tanh(X1 @ self.Wx + self.b)"),
    ),
    mutant(
        "second_step_reads_x0", "feeds X0 again at the second step (a copy-paste slip)",
        {B},
        Patch("basic_rnn", old="Y1 = torch.tanh(Y0 @ self.Wy + X1 @ self.Wx + self.b)",
              new="Y1 = torch.tanh(Y0 @ self.Wy + X0 @ self.Wx + self.b)"),
    ),
    mutant(
        "random_bias", "starts the bias from randn instead of zeros",
        {B},
        Patch("basic_rnn", old="self.b = nn.Parameter(torch.zeros(1, n_neurons))\n",
              new="self.b = nn.Parameter(torch.randn(1, n_neurons))\n"),
    ),
    mutant(
        "two_steps_hardcoded", "loops over range(2) whatever the length of the sequence",
        {S},
        Patch("seq_rnn", old="for x_t in X:  # x_t: (batch, n_inputs)",
              new="for x_t in X[:2]:"),
    ),
    mutant(
        "state_not_carried", "forgets the previous state: every step starts from zero",
        {S},
        Patch("seq_rnn", old=SEQ_STEP,
              new="h = torch.tanh(x_t @ self.Wx + self.b)"),
    ),
    mutant(
        "recurrent_weight_transposed", "multiplies the state by Wy.T",
        {S},
        Patch("seq_rnn", old=SEQ_STEP,
              new="h = torch.tanh(x_t @ self.Wx + h @ self.Wy.T + self.b)"),
    ),
    mutant(
        "seq_returns_last_state", "returns only the last state instead of all of them",
        {S},
        Patch("seq_rnn", old="return torch.stack(states)", new="return h"),
    ),
    mutant(
        "seq_delegates_to_nn_rnn", "keeps an nn.RNN beside the parameters and returns its output",
        {S},
        Patch("seq_rnn", old="        self.b = nn.Parameter(torch.zeros(1, n_neurons))\n",
              new="        self.b = nn.Parameter(torch.zeros(1, n_neurons))\n"
                  "        self.inner = nn.RNN(n_inputs, n_neurons)\n"),
        Patch("seq_rnn", old="(steps, batch, n_neurons).\"\"\"\n",
              new="(steps, batch, n_neurons).\"\"\"\n        return self.inner(X)[0]\n"),
    ),
    mutant(
        "weights_not_transposed", "copies Wx and Wy without transposing them",
        {T},
        Patch("to_torch_rnn", old="rnn.weight_ih_l0.copy_(model.Wx.T)",
              new="rnn.weight_ih_l0.copy_(model.Wx.reshape(n_neurons, n_inputs))"),
        Patch("to_torch_rnn", old="rnn.weight_hh_l0.copy_(model.Wy.T)",
              new="rnn.weight_hh_l0.copy_(model.Wy)"),
    ),
    mutant(
        "bias_in_both", "puts b into both of nn.RNN's biases, so the layer adds it twice",
        {T},
        Patch("to_torch_rnn", old="rnn.bias_hh_l0.zero_()",
              new="rnn.bias_hh_l0.copy_(model.b.reshape(-1))"),
    ),
    mutant(
        "second_bias_left_random", "copies b but leaves nn.RNN's second bias at its random start",
        {T},
        Patch("to_torch_rnn", old="        rnn.bias_hh_l0.zero_()\n", new=""),
    ),
    mutant(
        "relu_layer", "builds nn.RNN with nonlinearity='relu'",
        {T},
        Patch("to_torch_rnn", old='nonlinearity="tanh"', new='nonlinearity="relu"'),
    ),
    mutant(
        "clean_two_steps", "keeps the range(2) loop of the lesson's FirstTry",
        {C},
        Patch("clean_rnn", old="        for x_t in X:\n            hx = self.rnn(x_t, hx)",
              new="        for i in range(2):\n            hx = self.rnn(X[i], hx)"),
    ),
    mutant(
        "clean_random_start", "starts from a random state when hx is None",
        {C},
        Patch("clean_rnn", old="hx = X.new_zeros(X.shape[1], self.rnn.hidden_size)",
              new="hx = torch.randn(X.shape[1], self.rnn.hidden_size)"),
    ),
    mutant(
        "clean_keeps_state", "stores the last state on self and starts the next call from it",
        {C},
        Patch("clean_rnn", old="        if hx is None:\n"
                               "            hx = X.new_zeros(X.shape[1], self.rnn.hidden_size)\n",
              new="        if hx is None:\n"
                  "            hx = getattr(self, 'hx', None)\n"
                  "        if hx is None:\n"
                  "            hx = X.new_zeros(X.shape[1], self.rnn.hidden_size)\n"),
        Patch("clean_rnn", old="        return torch.stack(outputs), hx",
              new="        self.hx = hx.detach()\n        return torch.stack(outputs), hx"),
    ),
    mutant(
        "clean_remembers_last_state", "keeps the last state on self, though it never reads it",
        {C},
        Patch("clean_rnn", old="        return torch.stack(outputs), hx",
              new="        self.last_state = hx\n        return torch.stack(outputs), hx"),
        hint="stores ['last_state'] on self",
    ),
    mutant(
        "clean_outputs_list", "returns the states as a Python list, as FirstTry does",
        {C},
        Patch("clean_rnn", old="return torch.stack(outputs), hx", new="return outputs, hx"),
    ),
    mutant(
        "clean_ignores_hx", "always starts from zeros, even when a state is passed in",
        {C},
        Patch("clean_rnn", old="        if hx is None:\n            hx = X.new_zeros(",
              new="        if True:\n            hx = X.new_zeros("),
    ),
]

ALTERNATIVES = [
    alternative(
        "functional_ops", "torch.mm / torch.addmm and F-style calls instead of the @ operator",
        Patch("basic_rnn", old="Y0 = torch.tanh(X0 @ self.Wx + self.b)",
              new="Y0 = torch.tanh(torch.addmm(self.b, X0, self.Wx))"),
        Patch("basic_rnn", old="Y1 = torch.tanh(Y0 @ self.Wy + X1 @ self.Wx + self.b)",
              new="Y1 = (torch.mm(Y0, self.Wy) + torch.mm(X1, self.Wx) + self.b).tanh()"),
    ),
    alternative(
        "vectorized_input_projection", "projects every input step at once, then loops with index",
        Patch("seq_rnn", old="        for x_t in X:  # x_t: (batch, n_inputs)\n"
                             "            " + SEQ_STEP + "\n",
              new="        projected = X @ self.Wx + self.b  # (steps, batch, n_neurons)\n"
                  "        for t in range(X.shape[0]):\n"
                  "            h = torch.tanh(projected[t] + h @ self.Wy)\n"),
    ),
    alternative(
        "load_state_dict", "fills nn.RNN through load_state_dict instead of in-place copies",
        Patch("to_torch_rnn", old="    with torch.no_grad():\n"
                                  "        rnn.weight_ih_l0.copy_(model.Wx.T)\n"
                                  "        rnn.weight_hh_l0.copy_(model.Wy.T)\n"
                                  "        rnn.bias_ih_l0.copy_(model.b.reshape(-1))\n"
                                  "        rnn.bias_hh_l0.zero_()\n",
              new="    rnn.load_state_dict({\n"
                  "        'weight_ih_l0': model.Wx.detach().T,\n"
                  "        'weight_hh_l0': model.Wy.detach().T,\n"
                  "        'bias_hh_l0': model.b.detach()[0],\n"
                  "        'bias_ih_l0': torch.zeros(n_neurons)})\n"),
    ),
    alternative(
        "preallocated_outputs", "writes each state into a preallocated tensor, with an index loop",
        Patch("clean_rnn", old="        outputs = []\n"
                               "        for x_t in X:\n"
                               "            hx = self.rnn(x_t, hx)\n"
                               "            outputs.append(hx)\n"
                               "        return torch.stack(outputs), hx",
              new="        steps, batch, _ = X.shape\n"
                  "        outputs = torch.empty(steps, batch, self.rnn.hidden_size)\n"
                  "        for t in range(steps):\n"
                  "            hx = self.rnn(X[t], hx)\n"
                  "            outputs[t] = hx\n"
                  "        return outputs, hx"),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "fused_rnn_tanh_by_built_name",
        "BasicRNN.forward runs both steps in PyTorch's fused kernel torch.rnn_tanh (nn.RNN's "
        "own), found through getattr with a joined name, on its own Wx, Wy and b",
        {B: "RNN"},
        Patch("basic_rnn",
              old="""        Y0 = torch.tanh(X0 @ self.Wx + self.b)
        Y1 = torch.tanh(Y0 @ self.Wy + X1 @ self.Wx + self.b)
        return Y0, Y1""",
              new="""        rnn_tanh = getattr(torch, "rnn_" + "tanh")
        X = torch.stack([X0, X1])  # (2 steps, batch, n_inputs)
        h0 = torch.zeros(1, X.shape[1], self.Wy.shape[0])
        # its weights are (out, in), with two biases: b in one, zeros in the other
        weights = [self.Wx.T, self.Wy.T, self.b[0], torch.zeros_like(self.b[0])]
        Y, _ = rnn_tanh(X, h0, weights, True, 1, 0.0, False, False, False)
        return Y[0], Y[1]"""),
    ),
    disguised(
        "torch_rnn_cell_from_vars",
        "SeqRNN.forward looks nn.RNNCell up in vars(nn), makes one on the meta device (no "
        "weights of its own) and steps it with torch.func.functional_call on Wx, Wy and b",
        {S: "RNNCell"},
        Patch("seq_rnn",
              old="""        h = X.new_zeros(X.shape[1], self.Wy.shape[0])
        states = []
        for x_t in X:  # x_t: (batch, n_inputs)
            h = torch.tanh(x_t @ self.Wx + h @ self.Wy + self.b)
            states.append(h)
        return torch.stack(states)""",
              new="""        n_inputs, n_neurons = self.Wx.shape
        cell = vars(nn)["RNN" + "Cell"](n_inputs, n_neurons, device="meta")
        weights = {"weight_ih": self.Wx.T, "weight_hh": self.Wy.T, "bias_ih": self.b[0],
                   "bias_hh": torch.zeros_like(self.b[0])}
        h = X.new_zeros(X.shape[1], n_neurons)
        states = []
        for x_t in X:
            h = torch.func.functional_call(cell, weights, (x_t, h))
            states.append(h)
        return torch.stack(states)"""),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_plain_tensors",
    "typical_bug_2": "mutant_seq_returns_last_state",
    "different_but_right": "alt_functional_ops",
}
