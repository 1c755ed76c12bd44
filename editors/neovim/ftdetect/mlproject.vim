" MLproject files (no extension, any case) are YAML.
autocmd BufRead,BufNewFile [Mm][Ll][Pp][Rr][Oo][Jj][Ee][Cc][Tt] setfiletype yaml
