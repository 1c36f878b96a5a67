"""The students' README of the students' copy (rnncourse.course.publish): the lessons with
their Colab badges, how to work in Colab or on a JupyterHub, how to hand in, and the licence."""

from __future__ import annotations

from .public_repo import Lesson, Repository


def students_readme(title: str, lessons: list[Lesson], repo: Repository) -> str:
    rows = "\n".join(
        f"| [{les.name}]({les.path}) | {repo.badge(les.path)} | {les.what} | {les.points} |"
        for les in lessons
    )
    first = lessons[0].name
    return f"""# {title}

In these {len(lessons)} notebooks you write recurrent neural networks yourself, in Keras 3 and
PyTorch. In each one you build a layer, a cell or a model step by step, and checks compare what
you wrote with the framework's own layer, weights copied across.

## Lessons

| lesson | open | what you build | points |
|---|---|---|---|
{rows}

## Working in Colab

1. Click the lesson's **Open in Colab** badge above (each notebook has the same badge in its
   first cell).
2. Choose **File › Save a copy in Drive** before you start: the notebook Colab opens from
   GitHub is not saved anywhere, your copy in Drive is.
3. Run the cells from the top. The first cell installs what Colab lacks, which can take a
   minute.
4. Write your code in the cells marked `YOUR CODE HERE`, replacing the
   `raise NotImplementedError()` line. Leave the other cells as they are: the locked ones are
   restored from the original when your notebook is graded, so changes there are lost.
5. The `assert` cells check your work as you go. When your notebook is graded, each runs more
   checks on other shapes and weights, so make your code work for any batch size, sequence
   length and layer size, not only the example's.

On your course's JupyterHub, open **Nbgrader › Assignment List** instead, fetch the lesson
and open it from there; the steps in the notebook are the same.

## Handing in

Before you hand in, restart the kernel and run every cell (Colab: **Runtime › Restart session
and run all**; JupyterLab: **Kernel › Restart Kernel and Run All Cells**) and check that every
cell runs without an error: the grader runs your notebook from the top in a fresh kernel.

* **Colab:** choose **File › Download › Download .ipynb** and upload the file where your
  instructor asks. Name it after the lesson (`{first}.ipynb`, not
  `Copy of {first}.ipynb`), do not delete cells, and hand in the notebook itself, not a
  PDF or a link.
* **JupyterHub:** click **Submit** next to the lesson in the Assignment List. You may submit
  again before the deadline; the latest submission is the one graded. Once your instructor
  releases the feedback, **Fetch Feedback** there brings your report.

## Licence

The lessons are licensed under CC BY 4.0 (Creative Commons Attribution 4.0): see
[LICENSE](LICENSE).
"""
