"""Instructor tools: release the student notebooks, grade a class, report scores."""
