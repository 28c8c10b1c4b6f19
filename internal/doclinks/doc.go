// Package doclinks checks the repository's Markdown: every relative link and
// anchor of a README or a page under docs/ resolves to a file, directory or
// heading inside the repository, and no text points outside it to the
// shared folder the project was started from, which is not part of the
// product.
package doclinks
