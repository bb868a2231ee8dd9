# Copies the public data sets (with their provenance note) into the site when they are present.
if(EXISTS ${SRC})
  file(GLOB files ${SRC}/*.csv ${SRC}/README.md)
  file(COPY ${files} DESTINATION ${DST})
endif()
