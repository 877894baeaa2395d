"""Records: creating, saving, moving through the workflow, who may read and change them, lists,
hand-overs, deadlines, uploads and the timeline."""
