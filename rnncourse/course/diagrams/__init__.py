"""The course's diagrams: drawn by code, kept as files in docs/diagrams/, shown in the lessons as
markdown-cell attachments. `python -m rnncourse.course.diagrams` redraws them and refreshes the
lessons (`make release` runs it).

* `style` -- the look they share (palette, font, arrows) and the one way each is saved;
* `recurrence`, `gates`, `training`, `translation` -- the drawings, by subject;
* `catalogue` -- every diagram: its name, its drawing, its alt text, and where its files live;
* `attachments` -- the diagrams inside the source notebooks, and the students' copy for Colab;
* `__main__` -- the command.
"""
