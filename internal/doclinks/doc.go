// Package doclinks checks that the repository's Markdown links resolve inside
// the repository.
//
// Every relative link and anchor of a README or a page under docs/ must
// resolve to a file, directory or heading inside the repository, and no
// text may point outside it to the shared folder the project was started
// from, which is not part of the product.
package doclinks
