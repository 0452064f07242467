module example.com/ancient

require github.com/direct/one v1.2.0
