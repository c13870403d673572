# Reference p-values for paired proportions (McNemar), computed in R.
#
# Writes tests/reference/mcnemar.csv: one row per paired 2x2 table
# [[both, a_only], [b_only, neither]] with
#   mcnemar     mcnemar.test(table, correct = FALSE): statistic and p-value
#   mcnemar_cc  mcnemar.test(table, correct = TRUE): statistic and p-value
#               (R corrects by 1 only when a_only != b_only)
#   exact       binom.test(a_only, a_only + b_only, 0.5)$p.value (exact McNemar)
# Tables without discordant pairs (a_only + b_only = 0) are left out: R gives
# NaN there, the package gives p = 1 by convention.
#
# Run from anywhere:  Rscript tests/reference/r/mcnemar.R

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- file.path(dirname(here), "mcnemar.csv")

tables <- list()
# every split of up to 25 discordant pairs (the concordant cells do not enter the tests)
for (b in 0:25) for (c in 0:25) tables[[length(tables) + 1]] <- c(3, b, c, 5)
# seeded random tables up to 2000 respondents, and published examples
set.seed(1947)
for (i in 1:200) {
  n <- sample(10:2000, 1)
  cells <- as.vector(rmultinom(1, n, runif(4)))
  tables[[length(tables) + 1]] <- cells
}
tables <- c(tables, list(c(59, 6, 16, 80), c(36, 12, 2, 0), c(5, 9, 2, 28), c(1, 43, 1, 61)))

rows <- list()
for (t in tables) {
  both <- t[1]; a_only <- t[2]; b_only <- t[3]; neither <- t[4]
  if (a_only + b_only == 0) next
  x <- matrix(c(both, b_only, a_only, neither), nrow = 2)  # [[both, a_only], [b_only, neither]]
  plain <- mcnemar.test(x, correct = FALSE)
  cc <- mcnemar.test(x, correct = TRUE)
  rows[[length(rows) + 1]] <- data.frame(
    both = both, a_only = a_only, b_only = b_only, neither = neither,
    mcnemar_statistic = unname(plain$statistic), mcnemar = plain$p.value,
    mcnemar_cc_statistic = unname(cc$statistic), mcnemar_cc = cc$p.value,
    exact = binom.test(a_only, a_only + b_only, 0.5)$p.value
  )
}
res <- unique(do.call(rbind, rows))
for (col in names(res)) {
  res[[col]] <- sprintf(if (col %in% c("both", "a_only", "b_only", "neither")) "%d" else "%.17g", res[[col]])
}
con <- file(out, "w")
writeLines(paste0("# written by tests/reference/r/mcnemar.R with ", R.version.string), con)
write.csv(res, con, row.names = FALSE, quote = FALSE)
close(con)
cat("wrote", nrow(res), "tables to", out, "\n")
