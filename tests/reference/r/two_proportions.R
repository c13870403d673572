# Reference p-values for two independent proportions, computed in R.
#
# Writes tests/reference/two_proportions.csv: one row per 2x2 table
# [[k1, n1 - k1], [k2, n2 - k2]] (group 1 in the first row) with
#   fisher      fisher.test(table)$p.value (two-sided, probability ordering)
#   fisher_midp the two-sided Fisher p-value minus half the hypergeometric
#               probability of the observed table, from dhyper (Lancaster's
#               mid-p applied to Fisher's probability ordering)
#   chi2        chisq.test(table, correct = FALSE)$p.value
#   chi2_yates  chisq.test(table, correct = TRUE)$p.value (Yates)
# Tables whose column margin is empty (k1 + k2 = 0 or n1 + n2) are left out:
# R gives NaN there, the package gives 1 by convention.
#
# Run from anywhere:  Rscript tests/reference/r/two_proportions.R
# (R 4.2.2 wrote the committed CSV; see the header line of the output).

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- file.path(dirname(here), "two_proportions.csv")

tables <- list()
# every table with group sizes 1..7
for (n1 in 1:7) for (n2 in 1:7) for (k1 in 0:n1) for (k2 in 0:n2)
  tables[[length(tables) + 1]] <- c(k1, n1, k2, n2)
# seeded random tables with group sizes up to 400, and the survey designs of the project
set.seed(20240601)
for (i in 1:300) {
  n1 <- sample(1:400, 1); n2 <- sample(1:400, 1)
  k1 <- rbinom(1, n1, runif(1)); k2 <- rbinom(1, n2, runif(1))
  tables[[length(tables) + 1]] <- c(k1, n1, k2, n2)
}
extra <- list(c(32, 106, 3, 24), c(21, 106, 1, 24), c(57, 106, 12, 24), c(0, 5, 2, 4),
              c(56, 70, 48, 80), c(9, 10, 3, 10), c(86, 110, 64, 110), c(1, 1000, 9, 1000))
tables <- c(tables, extra)

fisher_midp <- function(k1, n1, k2, n2) {
  # x = k1 is hypergeometric: n1 draws from n1 + n2 with k1 + k2 successes
  m <- k1 + k2
  support <- max(0, m - n2):min(m, n1)
  d <- dhyper(support, m, n1 + n2 - m, n1)
  d_obs <- dhyper(k1, m, n1 + n2 - m, n1)
  relErr <- 1 + 1e-7  # fisher.test's tolerance for ties
  sum(d[d <= d_obs * relErr]) - 0.5 * d_obs
}

rows <- list()
for (t in tables) {
  k1 <- t[1]; n1 <- t[2]; k2 <- t[3]; n2 <- t[4]
  if (k1 + k2 == 0 || k1 + k2 == n1 + n2) next
  x <- matrix(c(k1, k2, n1 - k1, n2 - k2), nrow = 2)
  rows[[length(rows) + 1]] <- data.frame(
    k1 = k1, n1 = n1, k2 = k2, n2 = n2,
    fisher = fisher.test(x)$p.value,
    fisher_midp = fisher_midp(k1, n1, k2, n2),
    chi2 = suppressWarnings(chisq.test(x, correct = FALSE)$p.value),
    chi2_yates = suppressWarnings(chisq.test(x, correct = TRUE)$p.value)
  )
}
res <- unique(do.call(rbind, rows))
con <- file(out, "w")
writeLines(paste0("# written by tests/reference/r/two_proportions.R with ", R.version.string), con)
for (col in names(res)) res[[col]] <- sprintf(if (col %in% c("k1", "n1", "k2", "n2")) "%d" else "%.17g", res[[col]])
write.csv(res, con, row.names = FALSE, quote = FALSE)
close(con)
cat("wrote", nrow(res), "tables to", out, "\n")
